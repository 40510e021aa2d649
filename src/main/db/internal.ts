// Helpers shared by the repositories (not re-exported from index.ts, except `transaction`).
import type { Db } from './client';
import { toStoreError } from './errors';

type Orm = Db['orm'];

/**
 * The one way the store keeps statements: each repository declares its hot queries once, built with drizzle and
 * `.prepare()` (values bound through `sql.placeholder`; SQL drizzle cannot build, as FTS5's commands and batches
 * read from json_each, straight on the connection), and gets them per connection from here. Building a drizzle
 * query and better-sqlite3's prepare() both cost more than the row write itself (STACK.md: ~8x), so the sync write
 * path never builds a query per row. Rare queries (a user click, a maintenance job) are built where they run.
 */
export function preparedPerConnection<T>(build: (orm: Orm, sqlite: Db['sqlite']) => T): (db: Db) => T {
  const perDb = new WeakMap<Db, T>();
  return (db: Db): T => {
    let s = perDb.get(db);
    if (s === undefined) {
      s = build(db.orm, db.sqlite);
      perDb.set(db, s);
    }
    return s;
  };
}

function isDb(v: unknown): v is Db {
  return typeof v === 'object' && v !== null && typeof (v as Partial<Db>).noteError === 'function';
}

/**
 * Wraps a repository function so SQLite failures surface as StoreError subclasses
 * (DiskFullError, DatabaseDamagedError, …) with the same signature. Damage met through a
 * repository (whose first argument is the Db) is remembered on that connection. Every exported
 * repository function goes through here: the store's one error guard.
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

/** Runs fn in one transaction (a savepoint when already inside one). */
export function inTransaction<T>(db: Db, fn: () => T): T {
  return db.sqlite.transaction(fn)();
}

/**
 * Runs fn in one transaction (a savepoint when already inside one), for callers that combine several repository
 * calls into one atomic write (a listed page and its checkpoint, a batch of details and its drops). `immediate`
 * takes the write lock at once: a read-then-write between processes (a token refresh) then never fails half-way.
 */
export const transaction = guarded(function transaction<T>(db: Db, fn: () => T, options: { immediate?: boolean } = {}): T {
  const tx = db.sqlite.transaction(fn);
  return options.immediate ? tx.immediate() : tx();
});

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
