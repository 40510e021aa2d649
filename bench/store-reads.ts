// Every read the bench makes of the app's store, in one place. The bench only looks (read-only, beside the
// running sync); today through better-sqlite3 on the file, to be swapped for src/main/db's read API (issue 12:
// only src/main/db opens the store) here and nowhere else.
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

type Reader = Database.Database;

/** Read-only, or null while the file is not there or cannot be opened yet. */
function openReader(dataDir: string): Reader | null {
  const file = join(dataDir, 'mailmirror.db');
  if (!existsSync(file)) return null;
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 2000');
    return db;
  } catch {
    return null;
  }
}

function withReader<T>(dataDir: string, fn: (db: Reader) => T): T {
  const db = openReader(dataDir);
  if (!db) throw new Error('no store');
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

export type RunTimes = { startedAt: number; finishedAt: number; listed: number };

/** The last initial or full sync run: when it started and finished (ms), and how many messages it listed. */
export function lastFullRun(dataDir: string): RunTimes {
  return withReader(dataDir, (db) => {
    const r = db
      .prepare(
        `SELECT started_at AS startedAt, finished_at AS finishedAt, listed_count AS listed FROM sync_runs
          WHERE type IN ('initial', 'full') ORDER BY id DESC LIMIT 1`,
      )
      .get() as RunTimes | undefined;
    if (!r) throw new Error('no sync run in the store');
    return r;
  });
}

/** Messages stored with their details, every account. */
export function fetchedMessageCount(dataDir: string): number {
  return withReader(dataDir, (db) => (db.prepare('SELECT count(*) AS n FROM messages WHERE details_fetched = 1').get() as { n: number }).n);
}

/**
 * A store watched while a sync writes it (WAL readers do not block the writer). Its reads throw while the schema is
 * not there yet (a fresh file being migrated).
 */
export type StoreWatch = {
  /** Whether the (first) account's labels, with their counts, are stored. */
  labelsSynced(): boolean;
  /** How many of these messages are stored with their details. */
  fetchedAmong(gmailIds: string[]): number;
  close(): void;
};

/** Null until the store's file exists and opens. */
export function watchStore(dataDir: string): StoreWatch | null {
  const db = openReader(dataDir);
  if (!db) return null;
  return {
    labelsSynced: () => !!(db.prepare('SELECT label_sync_completed AS done FROM accounts LIMIT 1').get() as { done: number } | undefined)?.done,
    fetchedAmong: (ids) => {
      const ph = ids.map(() => '?').join(',');
      return (db.prepare(`SELECT count(*) AS n FROM messages WHERE details_fetched = 1 AND gmail_id IN (${ph})`).get(...ids) as { n: number }).n;
    },
    close: () => db.close(),
  };
}
