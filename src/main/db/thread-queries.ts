// Reading the mirror as conversations, as Gmail lists them: one row per thread in a label (a thread is in a label
// when any of its messages is), ordered by the thread's newest message in that label, newest first; and one
// thread's messages in order for the reader.
import { and, asc, desc, eq, isNotNull, sql } from 'drizzle-orm';
import type { Db } from './client';
import { InvalidCursorError } from './errors';
import { guarded, preparedPerConnection } from './internal';
import { listFields, type MessageListRow } from './message-queries';
import { messageLabels, messages } from './schema';

/** One sender of a conversation (the one who started it first, then the others by their latest message). */
export type ThreadSender = {
  /** The From header as stored (`"Name" <addr>`). */
  from: string;
  /** Some message of this sender in the conversation is unread. */
  unread: boolean;
};

/** A conversation as a list shows it. */
export type ThreadListRow = {
  threadId: string;
  /** The newest message of the thread in the label listed (the row's date, snippet and cursor position). */
  latest: MessageListRow;
  /** The thread's subject: its first message's (replies add "Re:"), else the newest one's. */
  subject: string | null;
  senders: ThreadSender[];
  /** Messages of the conversation (Spam and Trash left out, unless those are the label listed). */
  messageCount: number;
  unreadCount: number;
  starred: boolean;
  hasAttachments: boolean;
  /** Every label of any of its messages, sorted. */
  labelIds: string[];
};

export type ThreadListPage = {
  items: ThreadListRow[];
  /** Pass back as `cursor` for the next (older) page; null when this page is the last. */
  nextCursor: string | null;
};

/** At most this many senders per row (the first and the latest ones): a 1,000-message thread's row stays small. */
const MAX_SENDERS = 8;
const HIDDEN_PLACES = ['SPAM', 'TRASH'];

const p = {
  accountId: sql.placeholder('accountId'),
  labelId: sql.placeholder('labelId'),
  date: sql.placeholder('date'),
  id: sql.placeholder('id'),
  limit: sql.placeholder('limit'),
  threads: sql.placeholder('threads'),
};

// Keyset pagination over the same index ranges as listMessages (message_labels_account_label_date for a label,
// messages_account_date for All Mail): a message stands for its thread when no newer message of that thread carries
// the label. That test is a range of messages_thread_date (only the thread's newer messages), so a page reads about
// (rows on the page) x (messages per thread in the label) index entries, whatever the size of the mailbox; and since
// the cursor is the (date, id) of the last row's message, rows arriving meanwhile never shift or repeat a page.
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
          sql`NOT EXISTS (SELECT 1 FROM messages t INNER JOIN message_labels tl ON tl.message_id = t.id AND tl.label_id = ${p.labelId}
            WHERE t.account_id = ${p.accountId} AND t.thread_id = ${messages.threadId}
              AND t.internal_date >= ${messageLabels.internalDate}
              AND (t.internal_date, t.id) > (${messageLabels.internalDate}, ${messageLabels.messageId}))`,
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
          sql`NOT EXISTS (SELECT 1 FROM ${messageLabels} x WHERE x.message_id = ${messages.id} AND x.label_id IN ('SPAM', 'TRASH'))`,
          after ? sql`(${messages.internalDate}, ${messages.id}) < (${p.date}, ${p.id})` : undefined,
          sql`NOT EXISTS (SELECT 1 FROM messages t
            WHERE t.account_id = ${p.accountId} AND t.thread_id = ${messages.threadId}
              AND t.internal_date >= ${messages.internalDate}
              AND (t.internal_date, t.id) > (${messages.internalDate}, ${messages.id})
              AND NOT EXISTS (SELECT 1 FROM message_labels y WHERE y.message_id = t.id AND y.label_id IN ('SPAM', 'TRASH')))`,
        ),
      )
      .orderBy(desc(messages.internalDate), desc(messages.id))
      .limit(p.limit)
      .prepare();
  // The messages of a few threads (a page's), oldest first: the rows' aggregates and the reader's conversation.
  const ofThreads = orm
    .select(listFields)
    .from(messages)
    .where(
      and(
        eq(messages.accountId, p.accountId),
        sql`${messages.threadId} IN (SELECT value FROM json_each(${p.threads}))`,
        isNotNull(messages.internalDate),
      ),
    )
    .orderBy(asc(messages.threadId), asc(messages.internalDate), asc(messages.id))
    .prepare();
  const idsOfThread = orm
    .select({ gmailId: messages.gmailId, labelIds: listFields.labelIds })
    .from(messages)
    .where(and(eq(messages.accountId, p.accountId), eq(messages.threadId, sql.placeholder('threadId')), isNotNull(messages.internalDate)))
    .orderBy(asc(messages.internalDate), asc(messages.id))
    .prepare();
  return {
    labelFirst: ofLabel(false),
    labelAfter: ofLabel(true),
    allFirst: ofAll(false),
    allAfter: ofAll(true),
    ofThreads,
    idsOfThread,
  };
});

function encodeCursor(internalDate: number, id: number): string {
  return Buffer.from(JSON.stringify(['t', internalDate, id]), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): [number, number] {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 3 && v[0] === 't' && Number.isSafeInteger(v[1]) && Number.isSafeInteger(v[2])) {
      return [v[1] as number, v[2] as number];
    }
  } catch {
    // fall through
  }
  throw new InvalidCursorError();
}

/**
 * Which of a thread's messages the conversation shows, as Gmail does: in Spam or Trash only the messages there;
 * elsewhere every message but those in Spam and Trash.
 */
export function inConversation(labelIds: readonly string[], listedLabel: string | null): boolean {
  if (listedLabel !== null && HIDDEN_PLACES.includes(listedLabel)) return labelIds.includes(listedLabel);
  return !labelIds.some((l) => HIDDEN_PLACES.includes(l));
}

const addressOf = (from: string): string => (/<([^>]*)>/.exec(from)?.[1] ?? from).trim().toLowerCase();

function summarize(latest: MessageListRow, thread: readonly MessageListRow[], listedLabel: string | null): ThreadListRow {
  const shown = thread.filter((m) => m.id === latest.id || inConversation(m.labelIds, listedLabel));
  // Gmail's order: whoever started the conversation, then the others by their latest message in it.
  const senders = new Map<string, ThreadSender & { last: number }>();
  const labels = new Set<string>();
  let unreadCount = 0;
  let hasAttachments = false;
  let starter: string | null = null;
  shown.forEach((m, i) => {
    for (const l of m.labelIds) labels.add(l);
    if (m.unread) unreadCount++;
    hasAttachments ||= m.hasAttachments;
    if (m.from) {
      const key = addressOf(m.from);
      starter ??= key;
      const s = senders.get(key);
      if (s) {
        s.unread ||= m.unread;
        s.last = i;
      } else senders.set(key, { from: m.from, unread: m.unread, last: i });
    }
  });
  const all = [...senders.entries()]
    .sort(([ka, a], [kb, b]) => (ka === starter ? -1 : kb === starter ? 1 : a.last - b.last))
    .map(([, s]) => ({ from: s.from, unread: s.unread }));
  const first = shown[0] ?? latest;
  return {
    threadId: latest.threadId,
    latest,
    subject: first.subject ?? latest.subject,
    // The first sender and the latest ones, as Gmail's "Ada .. Grace, Bob (12)".
    senders: all.length > MAX_SENDERS ? [all[0], ...all.slice(all.length - (MAX_SENDERS - 1))] : all,
    messageCount: shown.length,
    unreadCount,
    starred: labels.has('STARRED'),
    hasAttachments,
    labelIds: [...labels].sort(),
  };
}

/**
 * Conversations newest first — by the date of each thread's newest message in the label (null label: All Mail, which
 * leaves out Spam and Trash) — with keyset pagination: page 1,000 costs what page 1 does, and no thread repeats or is
 * skipped from one page to the next. Stubs are not listed.
 */
export const listThreads = guarded(function listThreads(
  db: Db,
  accountId: number,
  options: { labelId?: string | null; cursor?: string | null; limit: number },
): ThreadListPage {
  const limit = Math.max(1, Math.min(500, Math.trunc(options.limit) || 50));
  const after = options.cursor ? decodeCursor(options.cursor) : null;
  const labelId = options.labelId ?? null;
  const s = statements(db);
  const values = { accountId, labelId, limit: limit + 1, date: after?.[0] ?? 0, id: after?.[1] ?? 0 };
  const q = labelId ? (after ? s.labelAfter : s.labelFirst) : after ? s.allAfter : s.allFirst;
  const rows: MessageListRow[] = q.all(values);
  const more = rows.length > limit;
  const heads = more ? rows.slice(0, limit) : rows;
  const byThread = new Map<string, MessageListRow[]>();
  if (heads.length > 0) {
    const members: MessageListRow[] = s.ofThreads.all({ accountId, threads: JSON.stringify(heads.map((r) => r.threadId)) });
    for (const m of members) {
      const list = byThread.get(m.threadId);
      if (list) list.push(m);
      else byThread.set(m.threadId, [m]);
    }
  }
  const items = heads.map((h) => summarize(h, byThread.get(h.threadId) ?? [h], labelId));
  const last = heads[heads.length - 1];
  return { items, nextCursor: more && last ? encodeCursor(last.internalDate ?? 0, last.id) : null };
});

/**
 * The Gmail ids of a thread's stored messages, oldest first, as a conversation shows them when opened from
 * `labelId` (see inConversation). Empty when the thread is not in the mirror.
 */
export const threadMessageIds = guarded(function threadMessageIds(db: Db, accountId: number, threadId: string, labelId: string | null): string[] {
  const rows = statements(db).idsOfThread.all({ accountId, threadId });
  const shown = rows.filter((r) => inConversation(r.labelIds, labelId));
  // A conversation opened from Spam or Trash that has nothing there (moved meanwhile) still shows what there is.
  return (shown.length > 0 ? shown : rows).map((r) => r.gmailId);
});
