// Stubs: message rows from messages.list still waiting for their details, and the progress counted from them
// (DESIGN.md: progress is counted from the store, never from batch numbers). Each question about pending stubs
// has one query here. The listing and the batch jobs ask them per page and per batch: prepared once per connection.
import { and, asc, count, eq, inArray, sql, type SQLWrapper } from 'drizzle-orm';
import type { Db } from './client';
import { guarded, inTransaction, preparedPerConnection } from './internal';
import { messages, type Message } from './schema';

export type MessageStub = {
  gmailId: string;
  threadId: string;
  /** Lower runs first: 0 incremental, 1 INBOX, 2 the rest. */
  priority: number;
  /** Position in the listing (newest first): the fetch order within a priority. */
  listSeq: number;
};

/** A stub to fetch: which message, of which thread, how urgently. */
export type PendingStub = Pick<Message, 'gmailId' | 'threadId'> & { priority: Message['fetchPriority'] };

export type Progress = { total: number; fetched: number; pending: number };

const p = {
  accountId: sql.placeholder('accountId'),
  gmailId: sql.placeholder('gmailId'),
  threadId: sql.placeholder('threadId'),
  priority: sql.placeholder('priority'),
};

const pendingOf = (accountId: number | SQLWrapper) => and(eq(messages.accountId, accountId), eq(messages.detailsFetched, false));

const statements = preparedPerConnection((orm, sqlite) => ({
  // A page of stubs (a JSON array of [gmailId, threadId, priority, listSeq]): the new ones inserted (the first of an
  // id listed twice), then the rows that existed given the more urgent priority.
  insertMany: sqlite.prepare<[number, string]>(
    `INSERT INTO messages (account_id, gmail_id, thread_id, fetch_priority, list_seq)
       SELECT ?, j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3 FROM json_each(?) j WHERE true
       ON CONFLICT (account_id, gmail_id) DO NOTHING`,
  ),
  lowerPriorityMany: sqlite.prepare<[string, number]>(
    `UPDATE messages SET fetch_priority = l.priority
       FROM (SELECT j.value ->> 0 AS gmail_id, min(j.value ->> 2) AS priority FROM json_each(?) j GROUP BY 1) l
      WHERE messages.account_id = ? AND messages.gmail_id = l.gmail_id AND messages.fetch_priority > l.priority`,
  ),
  pendingOfThread: orm
    .select({ gmailId: messages.gmailId, priority: messages.fetchPriority })
    .from(messages)
    .where(and(pendingOf(p.accountId), eq(messages.threadId, p.threadId)))
    .prepare(),
  isPending: orm
    .select({ one: sql<number>`1` })
    .from(messages)
    .where(and(eq(messages.accountId, p.accountId), eq(messages.gmailId, p.gmailId), eq(messages.detailsFetched, false)))
    .prepare(),
  exists: orm
    .select({ one: sql<number>`1` })
    .from(messages)
    .where(and(eq(messages.accountId, p.accountId), eq(messages.gmailId, p.gmailId)))
    .prepare(),
  // Stops at the first row (the pending index), unlike a count of every pending stub.
  anyPending: orm.select({ one: sql<number>`1` }).from(messages).where(pendingOf(p.accountId)).limit(1).prepare(),
  anyFetchedOfThread: orm
    .select({ one: sql<number>`1` })
    .from(messages)
    .where(and(eq(messages.accountId, p.accountId), eq(messages.threadId, p.threadId), eq(messages.detailsFetched, true)))
    .limit(1)
    .prepare(),
  progress: orm
    .select({ total: count(), fetched: sql<number>`coalesce(sum(${messages.detailsFetched}), 0)` })
    .from(messages)
    .where(eq(messages.accountId, p.accountId))
    .prepare(),
}));

/**
 * Upserts listing stubs. An existing row keeps its details and only gets the more urgent
 * (smaller) priority. Returns how many rows were new.
 */
export const insertStubs = guarded(function insertStubs(db: Db, accountId: number, stubs: readonly MessageStub[]): number {
  if (stubs.length === 0) return 0;
  const s = statements(db);
  // One statement each for the whole page: FTS5 writes its pending entries out at every statement's savepoint, and
  // each new row has one (empty) in the full-text index, so a statement per stub cost a segment per stub.
  const rows = JSON.stringify(stubs.map((stub) => [stub.gmailId, stub.threadId, Math.trunc(stub.priority), Math.trunc(stub.listSeq)]));
  return inTransaction(db, () => {
    const added = s.insertMany.run(accountId, rows).changes;
    if (added < stubs.length) s.lowerPriorityMany.run(rows, accountId);
    return added;
  });
});

/** The pending messages of one thread (a thread is fetched whole or message by message from this). */
export const pendingOfThread = guarded(function pendingOfThread(
  db: Db,
  accountId: number,
  threadId: string,
): Array<{ gmailId: string; priority: number }> {
  return statements(db).pendingOfThread.all({ accountId, threadId });
});

/** The ids among `gmailIds` that are stored as pending stubs. */
export const filterPending = guarded(function filterPending(db: Db, accountId: number, gmailIds: readonly string[]): string[] {
  const q = statements(db).isPending;
  return gmailIds.filter((gmailId) => q.get({ accountId, gmailId }) !== undefined);
});

/** Whether the message is stored at all (a stub or fetched). */
export const messageExists = guarded(function messageExists(db: Db, accountId: number, gmailId: string): boolean {
  return statements(db).exists.get({ accountId, gmailId }) !== undefined;
});

/** Whether any message of the thread has its details stored. */
export const threadHasFetched = guarded(function threadHasFetched(db: Db, accountId: number, threadId: string): boolean {
  return statements(db).anyFetchedOfThread.get({ accountId, threadId }) !== undefined;
});

/** Whether any stub of the account is still to fetch (stops at the first one). */
export const hasPendingStubs = guarded(function hasPendingStubs(db: Db, accountId: number): boolean {
  return statements(db).anyPending.get({ accountId }) !== undefined;
});

/** Every pending stub of an account, most urgent first (priority, then listing order = newest first). */
export const allPendingStubs = guarded(function allPendingStubs(db: Db, accountId: number): PendingStub[] {
  return db.orm
    .select({ gmailId: messages.gmailId, threadId: messages.threadId, priority: messages.fetchPriority })
    .from(messages)
    .where(pendingOf(accountId))
    .orderBy(asc(messages.fetchPriority), asc(messages.listSeq), asc(messages.id))
    .all();
});

/** Pending messages of threads whose first message (the thread id) is not stored: no listed page dispatched them. */
export const rootlessPendingStubs = guarded(function rootlessPendingStubs(db: Db, accountId: number): PendingStub[] {
  return db.orm
    .select({ gmailId: messages.gmailId, threadId: messages.threadId, priority: messages.fetchPriority })
    .from(messages)
    .where(
      and(
        eq(messages.accountId, accountId),
        eq(messages.detailsFetched, false),
        sql`NOT EXISTS (SELECT 1 FROM messages r WHERE r.account_id = ${messages.accountId} AND r.gmail_id = ${messages.threadId})`,
      ),
    )
    .orderBy(asc(messages.fetchPriority), asc(messages.listSeq))
    .all();
});

/** Stored messages, fetched ones and still pending ones. */
export const countProgress = guarded(function countProgress(db: Db, accountId: number): Progress {
  const r = statements(db).progress.get({ accountId });
  const total = r?.total ?? 0;
  const fetched = r?.fetched ?? 0;
  return { total, fetched, pending: total - fetched };
});

/**
 * Messages whose details are stored, over every account, or only among `gmailIds` (the benchmark's "newest
 * INBOX messages readable" probe). Read-only: works on a store opened with openDatabaseReadOnly.
 */
export const countFetchedMessages = guarded(function countFetchedMessages(db: Db, gmailIds?: readonly string[]): number {
  const where = gmailIds
    ? and(eq(messages.detailsFetched, true), inArray(messages.gmailId, [...gmailIds]))
    : eq(messages.detailsFetched, true);
  return db.orm.select({ n: count() }).from(messages).where(where).get()?.n ?? 0;
});
