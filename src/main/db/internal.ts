// Helpers shared by the repositories (not re-exported from index.ts).
import type Database from 'better-sqlite3';
import type { Db } from './client';
import { toStoreError } from './errors';

// Prepared statements are compiled once per connection: drizzle's per-call query building and
// better-sqlite3's prepare() both cost more than the row write itself (STACK.md: ~8x).
const statementCache = new WeakMap<Database.Database, Map<string, Database.Statement>>();

export function stmt<P extends unknown[] | object = unknown[], R = unknown>(db: Db, source: string): Database.Statement<P, R> {
  let perDb = statementCache.get(db.sqlite);
  if (perDb === undefined) {
    perDb = new Map();
    statementCache.set(db.sqlite, perDb);
  }
  let s = perDb.get(source);
  if (s === undefined) {
    s = db.sqlite.prepare(source);
    perDb.set(source, s);
  }
  return s as unknown as Database.Statement<P, R>;
}

/** Runs fn in one transaction (a savepoint when already inside one). */
export function inTransaction<T>(db: Db, fn: () => T): T {
  return db.sqlite.transaction(fn)();
}

function isDb(v: unknown): v is Db {
  return typeof v === 'object' && v !== null && typeof (v as Partial<Db>).noteError === 'function';
}

/**
 * Wraps a repository function so SQLite failures surface as StoreError subclasses
 * (DiskFullError, DatabaseDamagedError, …) with the same signature. Damage met through a
 * repository (whose first argument is the Db) is remembered on that connection.
 */
export function guarded<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  return (...args: A): R => {
    try {
      return fn(...args);
    } catch (e) {
      throw isDb(args[0]) ? args[0].noteError(e) : toStoreError(e);
    }
  };
}

const DIGITS = /^\d{1,40}$/;

/** A Gmail historyId as an integer (they have gaps and grow past 2^53); null when absent or malformed. */
export function historyIdToBigInt(id: string | null | undefined): bigint | null {
  if (id === null || id === undefined || !DIGITS.test(id)) return null;
  return BigInt(id);
}

export function uniqueStrings(values: readonly string[] | null | undefined): string[] {
  if (!values || values.length === 0) return [];
  return [...new Set(values.filter((v) => typeof v === 'string' && v.length > 0))];
}
