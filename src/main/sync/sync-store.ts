// Store queries specific to the sync engine's bookkeeping (prepared once per database).
import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/client';

type Stmts = {
  pendingOfThread: Statement<[number, string], { gmail_id: string }>;
  isPending: Statement<[number, string], { n: number }>;
  pendingCount: Statement<[number], { n: number }>;
};

const cache = new WeakMap<Db, Stmts>();

function stmts(db: Db): Stmts {
  let s = cache.get(db);
  if (!s) {
    const q = db.sqlite;
    s = {
      pendingOfThread: q.prepare(
        'SELECT gmail_id FROM messages WHERE account_id = ? AND thread_id = ? AND details_fetched = 0',
      ),
      isPending: q.prepare('SELECT count(*) AS n FROM messages WHERE account_id = ? AND gmail_id = ? AND details_fetched = 0'),
      pendingCount: q.prepare('SELECT count(*) AS n FROM messages WHERE account_id = ? AND details_fetched = 0'),
    };
    cache.set(db, s);
  }
  return s;
}

export function pendingOfThread(db: Db, accountId: number, threadId: string): string[] {
  return stmts(db).pendingOfThread.all(accountId, threadId).map((r) => r.gmail_id);
}

export function filterPending(db: Db, accountId: number, ids: readonly string[]): string[] {
  const s = stmts(db);
  return ids.filter((id) => s.isPending.get(accountId, id)!.n > 0);
}

export function pendingCount(db: Db, accountId: number): number {
  return stmts(db).pendingCount.get(accountId)!.n;
}

/** Every pending stub of an account, grouped for re-enqueueing after a restart or a lost Redis. */
export function allPending(db: Db, accountId: number): { gmailId: string; threadId: string; priority: number }[] {
  return db.sqlite
    .prepare(
      `SELECT gmail_id AS gmailId, thread_id AS threadId, fetch_priority AS priority FROM messages
        WHERE account_id = ? AND details_fetched = 0 ORDER BY fetch_priority, list_seq`,
    )
    .all(accountId) as { gmailId: string; threadId: string; priority: number }[];
}

/** Gmail ids of fetched messages that carry a label in the mirror. */
export function fetchedWithLabel(db: Db, accountId: number, labelId: string): Set<string> {
  const rows = db.sqlite
    .prepare(
      `SELECT m.gmail_id AS id FROM message_labels ml JOIN messages m ON m.id = ml.message_id
        WHERE ml.account_id = ? AND ml.label_id = ? AND m.details_fetched = 1`,
    )
    .all(accountId, labelId) as { id: string }[];
  return new Set(rows.map((r) => r.id));
}

/** Sets one label's membership on fetched messages (in the caller's transaction). */
export function setLabelMembership(db: Db, accountId: number, labelId: string, add: string[], remove: string[]): void {
  const addStmt = db.sqlite.prepare(
    `INSERT OR IGNORE INTO message_labels (message_id, account_id, label_id)
       SELECT id, account_id, ? FROM messages WHERE account_id = ? AND gmail_id = ? AND details_fetched = 1`,
  );
  const delStmt = db.sqlite.prepare(
    `DELETE FROM message_labels WHERE account_id = ? AND label_id = ?
        AND message_id = (SELECT id FROM messages WHERE account_id = ? AND gmail_id = ?)`,
  );
  for (const id of add) addStmt.run(labelId, accountId, id);
  for (const id of remove) delStmt.run(accountId, labelId, accountId, id);
}

/** Lowers the account's historyId (never raises it): history from there is replayed next pass. */
export function rewindHistoryId(db: Db, accountId: number, historyId: string): void {
  const row = db.sqlite.prepare('SELECT history_id AS h FROM accounts WHERE id = ?').get(accountId) as { h: string | null } | undefined;
  if (row?.h && BigInt(row.h) > BigInt(historyId)) {
    db.sqlite.prepare('UPDATE accounts SET history_id = ? WHERE id = ?').run(historyId, accountId);
  }
}
