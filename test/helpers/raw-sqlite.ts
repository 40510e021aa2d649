// A test's outside view of a SQLite file: better-sqlite3 opened straight on the file, past src/main/db and its
// guards, to look at or damage what the app wrote the way another program, a failing disk or a user with the
// sqlite3 shell would. The one place in test/ that imports better-sqlite3; a test that means to use the store as
// the app does opens it with src/main/db instead.
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { databaseFile } from '../../src/main/store';

export type RawSqlite = Database.Database;

export type RawOpenOptions = {
  /** Default true: the outside view only looks. False to tamper (or for a statement SQLite counts as a write). */
  readonly?: boolean;
  /** Default true: never create the file by looking at it. */
  mustExist?: boolean;
  /** How long to wait for a writer's lock (another process writing beside us); SQLite's default is 0. */
  busyTimeoutMs?: number;
};

/** The store's file in a data folder, as the app names it. */
export function storeFileOf(dataDir: string): string {
  return databaseFile(dataDir);
}

export function openRawSqlite(file: string, opts: RawOpenOptions = {}): RawSqlite {
  const db = new Database(file, { readonly: opts.readonly ?? true, fileMustExist: opts.mustExist ?? true });
  if (opts.busyTimeoutMs !== undefined) db.pragma(`busy_timeout = ${opts.busyTimeoutMs}`);
  return db;
}

/** Opens, runs `fn`, closes. */
export function withRawSqlite<T>(file: string, fn: (db: RawSqlite) => T, opts: RawOpenOptions = {}): T {
  const db = openRawSqlite(file, opts);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/** Read-only, or null while the file is not there or cannot be opened yet (a process is still creating it). */
export function tryOpenRawSqlite(file: string, busyTimeoutMs = 2000): RawSqlite | null {
  if (!existsSync(file)) return null;
  try {
    return openRawSqlite(file, { busyTimeoutMs });
  } catch {
    return null;
  }
}
