// Message details from messages.get/threads.get, written a batch at a time in one transaction: the sync's hot write
// path, so every statement is prepared once per connection.
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from './client';
import { guarded, historyIdToBigInt, inTransaction, preparedPerConnection } from './internal';
import { replaceLabels } from './message-labels';
import { attachments, messages, type Attachment } from './schema';
import { writeSource, type ParsedSource } from './sources';

/**
 * Attachment metadata. From an original (format=raw) its bytes are a piece of the message's `source`
 * (`sourcePiece`); from format=full they are fetched on demand with messages.attachments.get.
 */
export type ParsedAttachment = Omit<Attachment, 'id' | 'messageId' | 'blobId' | 'transferEncoding'> & {
  sourcePiece?: number | null;
  transferEncoding?: string | null;
};

/** A Gmail message as the parser (src/main/sync/parse-message.ts) hands it to the store. */
export type ParsedMessage = {
  gmailId: string;
  threadId: string;
  labelIds: string[];
  /** Decimal string; compare as BigInt. */
  historyId: string | null;
  /** ms since epoch (Gmail's internalDate). */
  internalDate: number | null;
  sizeEstimate: number | null;
  snippet: string | null;
  subject: string | null;
  from: string | null;
  to: string | null;
  cc: string | null;
  /** Only on mail the user sent; optional so callers that never see one need not say so. */
  bcc?: string | null;
  date: string | null;
  messageIdHeader: string | null;
  references: string | null;
  /** Plain text; for HTML-only messages a text rendition, so search finds them. */
  textBody: string | null;
  htmlBody: string | null;
  attachments: ParsedAttachment[];
  /** Why parsing failed (the rest is what could be read), null when it did not. */
  parseError: string | null;
  /** The original, when the message came as format=raw: stored with it (db/sources.ts). */
  source?: ParsedSource;
};

export type SaveDetailsResult = { written: number; skipped: number };

const ph = <N extends string>(name: N) => sql.placeholder(name);

/** The detail columns, each bound to the placeholder of the same name (see detailParams). */
const detailColumns = {
  threadId: sql<string>`${ph('threadId')}`,
  internalDate: sql<number>`${ph('internalDate')}`,
  historyId: sql<string>`${ph('historyId')}`,
  sizeEstimate: sql<number>`${ph('sizeEstimate')}`,
  snippet: sql<string>`${ph('snippet')}`,
  subject: sql<string>`${ph('subject')}`,
  fromAddr: sql<string>`${ph('from')}`,
  toAddr: sql<string>`${ph('to')}`,
  ccAddr: sql<string>`${ph('cc')}`,
  bccAddr: sql<string>`${ph('bcc')}`,
  dateHeader: sql<string>`${ph('date')}`,
  messageIdHeader: sql<string>`${ph('messageIdHeader')}`,
  referencesHeader: sql<string>`${ph('references')}`,
  textBody: sql<string>`${ph('textBody')}`,
  htmlBody: sql<string>`${ph('htmlBody')}`,
  attachmentNames: sql<string>`${ph('attachmentNames')}`,
  parseError: sql<string>`${ph('parseError')}`,
  updatedAt: sql<Date>`${ph('now')}`,
  detailsFetched: true,
};

/** The columns of the full-text index (migration search), in its order. */
const FTS_COLUMNS = 'subject, from_addr, to_addr, cc_addr, bcc_addr, text_body, attachment_names';

const statements = preparedPerConnection((orm, sqlite) => ({
  find: orm
    .select({ id: messages.id, labelsHistoryId: messages.labelsHistoryId, detailsFetched: messages.detailsFetched })
    .from(messages)
    .where(and(eq(messages.accountId, ph('accountId')), eq(messages.gmailId, ph('gmailId'))))
    .prepare(),
  update: orm
    .update(messages)
    .set({ ...detailColumns, labelsHistoryId: sql`coalesce(${ph('labelsHistoryId')}, ${messages.labelsHistoryId})` })
    .where(eq(messages.id, ph('id')))
    .prepare(),
  insert: orm
    .insert(messages)
    .values({
      ...detailColumns,
      accountId: ph('accountId'),
      gmailId: ph('gmailId'),
      fetchPriority: 2,
      listSeq: 0,
      labelsHistoryId: sql`${ph('labelsHistoryId')}`,
    })
    .prepare(),
  deleteAttachments: orm.delete(attachments).where(eq(attachments.messageId, ph('messageId'))).prepare(),
  insertAttachment: orm
    .insert(attachments)
    .values({
      messageId: ph('messageId'),
      gmailAttachmentId: ph('gmailAttachmentId'),
      partId: ph('partId'),
      filename: ph('filename'),
      mimeType: ph('mimeType'),
      size: ph('size'),
      contentId: ph('contentId'),
      blobId: ph('blobId'),
      transferEncoding: ph('transferEncoding'),
    })
    .prepare(),
  // Many at once (a JSON array of Gmail ids): one statement, so the index entries go in one FTS5 segment.
  deleteMany: sqlite.prepare<[number, string]>(
    'DELETE FROM messages WHERE account_id = ? AND gmail_id IN (SELECT value FROM json_each(?))',
  ),
  // The full-text index entries of the rows (a JSON array of ids) as they are now: out before their stub becomes a
  // message, in once it is one (migration write_path: what messages_fts_au does for any other change of the text).
  ftsForget: sqlite.prepare(
    `INSERT INTO messages_fts(messages_fts, rowid, ${FTS_COLUMNS}) SELECT 'delete', id, ${FTS_COLUMNS} FROM messages WHERE id IN (SELECT value FROM json_each(?))`,
  ),
  ftsIndex: sqlite.prepare(
    `INSERT INTO messages_fts(rowid, ${FTS_COLUMNS}) SELECT id, ${FTS_COLUMNS} FROM messages WHERE id IN (SELECT value FROM json_each(?))`,
  ),
}));

const int = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : null);

/** The file names searched with filename: and plain words (one per line), null when there are none. */
function attachmentNames(list: readonly ParsedAttachment[] | undefined): string | null {
  if (!Array.isArray(list)) return null;
  const names = list.map((a) => a.filename?.trim() ?? '').filter((n) => n !== '');
  return names.length === 0 ? null : names.join('\n');
}

function detailParams(item: ParsedMessage, now: number) {
  return {
    threadId: item.threadId,
    // A fetched message is always listed; Gmail always sends internalDate, 0 only guards bad input.
    internalDate: int(item.internalDate) ?? 0,
    historyId: item.historyId ?? null,
    sizeEstimate: int(item.sizeEstimate),
    snippet: item.snippet ?? null,
    subject: item.subject ?? null,
    from: item.from ?? null,
    to: item.to ?? null,
    cc: item.cc ?? null,
    bcc: item.bcc ?? null,
    date: item.date ?? null,
    messageIdHeader: item.messageIdHeader ?? null,
    references: item.references ?? null,
    textBody: item.textBody ?? null,
    htmlBody: item.htmlBody ?? null,
    attachmentNames: attachmentNames(item.attachments),
    parseError: item.parseError ?? null,
    now,
  };
}

function replaceAttachments(
  db: Db,
  messageId: number,
  list: readonly ParsedAttachment[],
  pieceBlobs: ReadonlyArray<number | null>,
  fresh: boolean,
): void {
  const s = statements(db);
  if (!fresh) s.deleteAttachments.run({ messageId });
  for (const a of list) {
    const piece = typeof a.sourcePiece === 'number' ? a.sourcePiece : null;
    s.insertAttachment.run({
      messageId,
      gmailAttachmentId: a.gmailAttachmentId ?? null,
      partId: a.partId ?? null,
      filename: a.filename ?? null,
      mimeType: a.mimeType ?? null,
      size: int(a.size),
      contentId: a.contentId ?? null,
      blobId: piece === null ? null : (pieceBlobs[piece] ?? null),
      transferEncoding: piece === null ? null : (a.transferEncoding ?? null),
    });
  }
}

/**
 * Writes fetched details in one transaction. Labels are replaced by the fetched set unless the
 * stored labels_history_id is newer than the message's historyId: then a concurrent incremental
 * pass already applied later label changes, and the fetched set is stale. Rows that do not exist
 * (deleted meanwhile) are inserted only with insertMissing.
 */
export const saveMessageDetails = guarded(function saveMessageDetails(
  db: Db,
  accountId: number,
  items: readonly ParsedMessage[],
  options: { insertMissing: boolean },
): SaveDetailsResult {
  const s = statements(db);
  return inTransaction(db, () => {
    const now = Date.now();
    let written = 0;
    let skipped = 0;
    // Stubs becoming messages, and rows inserted with their details, are indexed all at once (migration fts_per_batch):
    // FTS5 writes its pending terms out as a new segment at every statement's savepoint, so a trigger indexing each
    // message cost a segment (and its merging) per message.
    const found = items.map((item) => (item.gmailId ? s.find.get({ accountId, gmailId: item.gmailId }) : undefined));
    let toIndex = [...new Set(found.flatMap((r) => (r && !r.detailsFetched ? [r.id] : [])))];
    if (toIndex.length > 0) s.ftsForget.run(JSON.stringify(toIndex));
    const indexPending = (): void => {
      if (toIndex.length > 0) s.ftsIndex.run(JSON.stringify(toIndex));
      toIndex = [];
    };
    // Each message's labels, written for the whole batch at the end (the rows copy each message's date from it).
    const labels = new Map<number, readonly string[]>();
    const seen = new Set<string>();
    for (const [i, item] of items.entries()) {
      if (!item.gmailId) {
        skipped++;
        continue;
      }
      let existing = found[i];
      const seenTwice = seen.has(item.gmailId);
      if (seenTwice) {
        // The same message twice: the row is what the first one made of it, indexed before it changes again (its
        // labels are the later copy's, or the first's when the later one's are older than the stored ones).
        indexPending();
        existing = s.find.get({ accountId, gmailId: item.gmailId });
      }
      seen.add(item.gmailId);
      const params = detailParams(item, now);
      const fetchedHistory = historyIdToBigInt(item.historyId);
      let messageId: number;
      let takeLabels: boolean;
      if (existing) {
        const storedHistory = historyIdToBigInt(existing.labelsHistoryId);
        // Without a comparable fetched historyId the stored (history-applied) labels win.
        takeLabels = storedHistory === null || (fetchedHistory !== null && storedHistory <= fetchedHistory);
        messageId = existing.id;
        s.update.run({ ...params, id: messageId, labelsHistoryId: takeLabels ? (item.historyId ?? null) : null });
      } else if (options.insertMissing) {
        takeLabels = true;
        const labelsHistoryId = fetchedHistory === null ? null : item.historyId;
        messageId = Number(s.insert.run({ ...params, accountId, gmailId: item.gmailId, labelsHistoryId }).lastInsertRowid);
        toIndex.push(messageId);
      } else {
        skipped++;
        continue;
      }
      if (takeLabels) labels.set(messageId, Array.isArray(item.labelIds) ? item.labelIds : []);
      // An original replaces the one stored; details from another format (format=full) leave it as it is.
      // A row that was a stub when the batch began, met for the first time, or inserted now has no original and no
      // attachments yet: nothing to delete first.
      const fresh = !existing || (!existing.detailsFetched && !seenTwice);
      const pieceBlobs = item.source ? writeSource(db, messageId, item.source, { fresh }) : [];
      replaceAttachments(db, messageId, Array.isArray(item.attachments) ? item.attachments : [], pieceBlobs, fresh);
      written++;
    }
    replaceLabels(db, accountId, labels);
    indexPending();
    return { written, skipped };
  });
});

/** Deletes messages (and their labels, attachments, index entries). Returns how many existed. */
export const deleteMessagesByGmailId = guarded(function deleteMessagesByGmailId(db: Db, accountId: number, ids: readonly string[]): number {
  if (ids.length === 0) return 0;
  return statements(db).deleteMany.run(accountId, JSON.stringify(ids)).changes;
});
