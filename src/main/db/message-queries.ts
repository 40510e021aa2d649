// Reading the mirror: a page of a label's (or every) fetched message, newest first, and one message with its
// labels and attachment metadata. Row types come from the schema's columns.
import { and, asc, desc, eq, isNotNull, sql } from 'drizzle-orm';
import type { Db } from './client';
import { InvalidCursorError } from './errors';
import { guarded, preparedPerConnection } from './internal';
import { attachments, messageLabels, messages, type Attachment, type Message } from './schema';

/** A message as a list shows it. */
export type MessageListRow = Pick<Message, 'id' | 'gmailId' | 'threadId' | 'subject' | 'snippet' | 'internalDate'> & {
  from: Message['fromAddr'];
  /** Recipients (To), shown instead of the sender on the user's own mail. */
  to: Message['toAddr'];
  /** Has the UNREAD label. */
  unread: boolean;
  /** Sorted. */
  labelIds: string[];
  hasAttachments: boolean;
};

export type MessageListPage = {
  items: MessageListRow[];
  /** Pass back as `cursor` for the next (older) page; null when this page is the last. */
  nextCursor: string | null;
};

export type AttachmentRow = Omit<Attachment, 'messageId'>;

/** One stored message, as far as the store knows it (a stub has only its ids and labels). */
export type StoredMessage = MessageListRow &
  Pick<Message, 'historyId' | 'sizeEstimate' | 'messageIdHeader' | 'textBody' | 'htmlBody' | 'detailsFetched' | 'parseError'> & {
    cc: Message['ccAddr'];
    date: Message['dateHeader'];
    references: Message['referencesHeader'];
    attachments: AttachmentRow[];
  };

/** What fetching an attachment's data needs, for an attachment checked to belong to that message. */
export type AttachmentLocation = Pick<Attachment, 'id' | 'gmailAttachmentId' | 'partId' | 'filename' | 'mimeType'>;

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const sortedLabels = (v: unknown): string[] => (typeof v === 'string' ? (JSON.parse(v) as string[]).sort(byString) : []);
const isOne = (v: unknown): boolean => v === 1;

/**
 * The message's id in the subqueries below, always qualified: drizzle writes a column of a one-table select
 * unqualified ("id"), which inside `FROM attachments a` would name the attachment's own id.
 */
const messageId = sql.raw('"messages"."id"');

/** The columns of a MessageListRow (search.ts selects them too). */
export const listFields = {
  id: messages.id,
  gmailId: messages.gmailId,
  threadId: messages.threadId,
  from: messages.fromAddr,
  to: messages.toAddr,
  subject: messages.subject,
  snippet: messages.snippet,
  internalDate: messages.internalDate,
  unread: sql`EXISTS (SELECT 1 FROM message_labels u WHERE u.message_id = ${messageId} AND u.label_id = 'UNREAD')`.mapWith(isOne),
  labelIds: sql`(SELECT json_group_array(l.label_id) FROM message_labels l WHERE l.message_id = ${messageId})`.mapWith(sortedLabels),
  // A picture with a Content-ID is one the HTML shows in place (a logo, a signature): the reader shows it there and
  // lists only the others, so it alone does not earn the row a paperclip (nor does it in Gmail's list).
  hasAttachments: sql`EXISTS (SELECT 1 FROM attachments a WHERE a.message_id = ${messageId}
    AND NOT (a.content_id IS NOT NULL AND a.mime_type LIKE 'image/%'))`.mapWith(isOne),
};

const p = {
  accountId: sql.placeholder('accountId'),
  labelId: sql.placeholder('labelId'),
  date: sql.placeholder('date'),
  id: sql.placeholder('id'),
  limit: sql.placeholder('limit'),
};

// Keyset pagination: each page is an index range read (message_labels_account_label_date for a label,
// messages_account_date for All Mail, which as in Gmail is every message but Spam and Trash), so page 1,000
// costs what page 1 does.
const statements = preparedPerConnection((orm) => {
  const ofLabel = (after: boolean) =>
    orm
      .select(listFields)
      .from(messageLabels)
      .innerJoin(messages, eq(messages.id, messageLabels.messageId))
      .where(
        and(
          eq(messageLabels.accountId, p.accountId),
          eq(messageLabels.labelId, p.labelId),
          isNotNull(messageLabels.internalDate),
          after ? sql`(${messageLabels.internalDate}, ${messageLabels.messageId}) < (${p.date}, ${p.id})` : undefined,
        ),
      )
      .orderBy(desc(messageLabels.internalDate), desc(messageLabels.messageId))
      .limit(p.limit)
      .prepare();
  const ofAll = (after: boolean) =>
    orm
      .select(listFields)
      .from(messages)
      .where(
        and(
          eq(messages.accountId, p.accountId),
          isNotNull(messages.internalDate),
          // Gmail's All Mail leaves out Spam and Trash (the primary key answers per row).
          sql`NOT EXISTS (SELECT 1 FROM ${messageLabels} x WHERE x.message_id = ${messages.id} AND x.label_id IN ('SPAM', 'TRASH'))`,
          after ? sql`(${messages.internalDate}, ${messages.id}) < (${p.date}, ${p.id})` : undefined,
        ),
      )
      .orderBy(desc(messages.internalDate), desc(messages.id))
      .limit(p.limit)
      .prepare();
  return { labelFirst: ofLabel(false), labelAfter: ofLabel(true), allFirst: ofAll(false), allAfter: ofAll(true) };
});

function encodeCursor(internalDate: number, id: number): string {
  return Buffer.from(JSON.stringify([internalDate, id]), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): [number, number] {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && Number.isSafeInteger(v[0]) && Number.isSafeInteger(v[1])) {
      return [v[0] as number, v[1] as number];
    }
  } catch {
    // fall through
  }
  throw new InvalidCursorError();
}

/**
 * Fetched messages newest first (internal_date desc, id desc), optionally of one label, with
 * keyset pagination: each page is an index range read, so page 1,000 costs what page 1 does,
 * and rows arriving meanwhile never shift or repeat a page. Stubs are not listed.
 */
export const listMessages = guarded(function listMessages(
  db: Db,
  accountId: number,
  options: { labelId?: string | null; cursor?: string | null; limit: number },
): MessageListPage {
  const limit = Math.max(1, Math.min(500, Math.trunc(options.limit) || 50));
  const after = options.cursor ? decodeCursor(options.cursor) : null;
  const s = statements(db);
  const values = { accountId, labelId: options.labelId ?? null, limit: limit + 1, date: after?.[0] ?? 0, id: after?.[1] ?? 0 };
  const q = options.labelId ? (after ? s.labelAfter : s.labelFirst) : after ? s.allAfter : s.allFirst;
  const rows: MessageListRow[] = q.all(values);
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  const last = items[items.length - 1];
  return { items, nextCursor: more && last ? encodeCursor(last.internalDate ?? 0, last.id) : null };
});

/** One message with its labels and attachment metadata; null when not stored. */
export const getMessage = guarded(function getMessage(db: Db, accountId: number, gmailId: string): StoredMessage | null {
  const r = db.orm
    .select({
      ...listFields,
      historyId: messages.historyId,
      sizeEstimate: messages.sizeEstimate,
      cc: messages.ccAddr,
      date: messages.dateHeader,
      messageIdHeader: messages.messageIdHeader,
      references: messages.referencesHeader,
      textBody: messages.textBody,
      htmlBody: messages.htmlBody,
      detailsFetched: messages.detailsFetched,
      parseError: messages.parseError,
    })
    .from(messages)
    .where(and(eq(messages.accountId, accountId), eq(messages.gmailId, gmailId)))
    .get();
  if (!r) return null;
  const list = db.orm
    .select({
      id: attachments.id,
      gmailAttachmentId: attachments.gmailAttachmentId,
      partId: attachments.partId,
      filename: attachments.filename,
      mimeType: attachments.mimeType,
      size: attachments.size,
      contentId: attachments.contentId,
      blobId: attachments.blobId,
      transferEncoding: attachments.transferEncoding,
    })
    .from(attachments)
    .where(eq(attachments.messageId, r.id))
    .orderBy(asc(attachments.id))
    .all();
  return { ...r, attachments: list };
});

/** The stored attachment `attachmentId` if it belongs to that message of that account, else null. */
export const getAttachmentLocation = guarded(function getAttachmentLocation(
  db: Db,
  accountId: number,
  messageGmailId: string,
  attachmentId: number,
): AttachmentLocation | null {
  return (
    db.orm
      .select({
        id: attachments.id,
        gmailAttachmentId: attachments.gmailAttachmentId,
        partId: attachments.partId,
        filename: attachments.filename,
        mimeType: attachments.mimeType,
      })
      .from(attachments)
      .innerJoin(messages, eq(messages.id, attachments.messageId))
      .where(and(eq(attachments.id, attachmentId), eq(messages.accountId, accountId), eq(messages.gmailId, messageGmailId)))
      .get() ?? null
  );
});

/** The row id of the attachment of that message at MIME part `partId`, or null. */
export const findAttachmentByPart = guarded(function findAttachmentByPart(db: Db, accountId: number, messageGmailId: string, partId: string): number | null {
  return (
    db.orm
      .select({ id: attachments.id })
      .from(attachments)
      .innerJoin(messages, eq(messages.id, attachments.messageId))
      .where(and(eq(attachments.partId, partId), eq(messages.accountId, accountId), eq(messages.gmailId, messageGmailId)))
      .get()?.id ?? null
  );
});
