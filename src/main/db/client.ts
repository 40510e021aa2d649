// Opens the store: pragmas, then drizzle-kit's migrations from drizzle/ before anything else
// touches the file (CONVENTIONS.md: migrate() first).
import { existsSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { readMigrationFiles, type MigrationMeta } from 'drizzle-orm/migrator';
import * as schema from './schema';
import { DatabaseDamagedError, DatabaseTooNewError, MigrationError, StoreError, toStoreError } from './errors';
import { recordCleanClose, recordDamage, verifyStoreFile, type VerifyMode } from './store-health';

type Orm = BetterSQLite3Database<typeof schema>;

export type Db = {
  sqlite: Database.Database;
  orm: Orm;
  /** Set once this connection met damage: from then on nothing more is written (not even PRAGMA optimize at close). */
  readonly damaged: DatabaseDamagedError | null;
  /**
   * Maps an error met on this connection to its StoreError (see toStoreError) and, when it says the file is damaged,
   * remembers that here and (for the app's store) beside the file. Returns what to throw.
   */
  noteError(e: unknown): unknown;
  /** Closes the connection; safe to call more than once. */
  close(): void;
};

export type OpenDatabaseOptions = {
  /**
   * Folder holding drizzle-kit's output (meta/_journal.json and the .sql files). Default: the
   * nearest `drizzle/` found walking up from this file, which works from src/ (vitest, tsx) and
   * from dist/src/ (compiled). A packaged app passes its resources path.
   */
  migrationsFolder?: string;
  /**
   * Check the file before using it (store-health.ts): `auto` skips a file known clean or too big to check
   * quickly, `always` checks it whatever (repair), `never` (default) only reports what SQLite says on open.
   */
  verify?: VerifyMode;
  /** The folder holding the file was in use: an empty (0-byte) database there is damage, not a new store. */
  folderInUse?: () => boolean;
  /** Remember damage and clean closes in marker files beside the database (the app's own store). */
  markers?: boolean;
};

const MIGRATIONS_TABLE = '__drizzle_migrations';

/** The store's file name in a data folder (the only place it is spelled). */
export const DATABASE_FILE_NAME = 'mailmirror.db';

/** The store's file in a data folder. */
export function databaseFile(dataDir: string): string {
  return path.join(dataDir, DATABASE_FILE_NAME);
}

/** Walks up from `start` to the first folder containing drizzle/meta/_journal.json. */
export function findMigrationsFolder(start: string = __dirname): string {
  let dir = path.resolve(start);
  for (;;) {
    const candidate = path.join(dir, 'drizzle');
    if (existsSync(path.join(candidate, 'meta', '_journal.json'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new MigrationError(`No drizzle/meta/_journal.json found in ${start} or any folder above it`);
    }
    dir = parent;
  }
}

function isMemory(file: string): boolean {
  return file === ':memory:' || file === '' || file.startsWith('file::memory:');
}

// drizzle's own bookkeeping table: not in the schema, so named in SQL.
function appliedMigrationTimes(orm: Orm): number[] {
  const table = orm.get<{ n: number }>(sql`SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = ${MIGRATIONS_TABLE}`);
  if (!table?.n) return [];
  const rows = orm.all<{ createdAt: unknown }>(sql`SELECT created_at AS createdAt FROM ${sql.identifier(MIGRATIONS_TABLE)}`);
  return rows.map((r) => Number(r.createdAt)).filter((n) => Number.isFinite(n));
}

/**
 * drizzle's migrator silently ignores migrations it does not know, so a file written by a newer
 * Mailmirror would be used with a schema this code does not understand. Refuse it instead.
 */
function assertNotNewer(orm: Orm, migrations: MigrationMeta[], file: string): void {
  const known = new Set(migrations.map((m) => m.folderMillis));
  const newest = migrations.reduce((max, m) => Math.max(max, m.folderMillis), 0);
  const unknown = appliedMigrationTimes(orm).filter((t) => !known.has(t));
  if (unknown.length === 0) return;
  if (unknown.some((t) => t > newest)) {
    throw new DatabaseTooNewError(
      `The database ${file} was created by a newer version of Mailmirror (it has ${unknown.length} migration(s) this version does not know). Update Mailmirror or use another data folder.`,
    );
  }
  throw new MigrationError(`The database ${file} has applied migrations this version does not know (${unknown.join(', ')})`);
}

function hasPendingMigrations(orm: Orm, migrations: MigrationMeta[]): boolean {
  const applied = appliedMigrationTimes(orm);
  const last = applied.length === 0 ? -Infinity : Math.max(...applied);
  // The same rule drizzle's migrator uses: everything newer than the last applied one runs.
  return migrations.some((m) => m.folderMillis > last);
}

function applyPragmas(sqlite: Database.Database, memory: boolean): void {
  // Wait for other processes (workers, CLI) instead of failing at once with SQLITE_BUSY.
  sqlite.pragma('busy_timeout = 5000');
  // Must precede the first CREATE TABLE of a new file; a no-op on an existing one.
  sqlite.pragma('auto_vacuum = INCREMENTAL');
  if (!memory) sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  // Checkpoint the WAL into the file every 64 MB instead of SQLite's 4 MB: each checkpoint syncs the WAL and the file
  // (synchronous=NORMAL), and the connection that commits past the mark runs it, so during a sync (~10 KB a message
  // with originals) the sync's thread waited on a sync of the disk every few commits (issue 14: the 20,000-message
  // CPU bench's commits took 2.0 s of wall time with 4 MB, 1.1 s with 64 MB). The WAL file is cut back to that size
  // after a checkpoint that a long reader made it outgrow.
  if (!memory) {
    sqlite.pragma('wal_autocheckpoint = 16384');
    sqlite.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
  }
  sqlite.pragma('foreign_keys = ON');
}

function runMigrations(db: Db, migrationsFolder: string, file: string): void {
  let migrations: MigrationMeta[];
  try {
    migrations = readMigrationFiles({ migrationsFolder });
  } catch (e) {
    throw new MigrationError(`Cannot read the migrations in ${migrationsFolder}: ${(e as Error).message}`, { cause: e });
  }
  assertNotNewer(db.orm, migrations, file);
  if (!hasPendingMigrations(db.orm, migrations)) return;
  try {
    migrate(db.orm, { migrationsFolder });
  } catch (e) {
    // Another process opening the same file may have migrated it first; that is success.
    if (!hasPendingMigrations(db.orm, migrations)) return;
    const mapped = toStoreError(e);
    if (mapped instanceof StoreError) throw mapped;
    throw new MigrationError(`Migrating ${file} failed: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Opens (creating if needed) the SQLite store at `file` (':memory:' for tests), sets the pragmas
 * and applies pending migrations. Throws a StoreError subclass (DatabaseDamagedError,
 * DatabaseTooNewError, MigrationError, …) when the file cannot be used.
 */
export function openDatabase(file: string, options: OpenDatabaseOptions = {}): Db {
  const memory = isMemory(file);
  const markers = !memory && options.markers === true;
  if (!memory) {
    try {
      verifyStoreFile(file, { mode: options.verify ?? 'never', markers, folderInUse: options.folderInUse });
    } catch (e) {
      if (e instanceof DatabaseDamagedError && markers && e.kind !== 'empty') recordDamage(file, e);
      throw e;
    }
  }
  const noted = (e: unknown): unknown => {
    const mapped = toStoreError(e);
    if (mapped instanceof DatabaseDamagedError && markers) recordDamage(file, mapped);
    return mapped;
  };
  let sqlite: Database.Database;
  try {
    sqlite = new Database(file);
  } catch (e) {
    throw noted(e);
  }
  let closed = false;
  let damaged: DatabaseDamagedError | null = null;
  const db: Db = {
    sqlite,
    orm: drizzle(sqlite, { schema }),
    get damaged() {
      return damaged;
    },
    noteError(e: unknown): unknown {
      const mapped = toStoreError(e);
      if (mapped instanceof DatabaseDamagedError && damaged === null) {
        damaged = mapped;
        if (markers) recordDamage(file, mapped);
      }
      return mapped;
    },
    close() {
      if (closed) return;
      closed = true;
      try {
        // Recommended before closing a long-lived connection: https://sqlite.org/pragma.html#pragma_optimize
        // Never on a damaged file: it may write (ANALYZE).
        if (damaged === null && sqlite.open && !sqlite.readonly) sqlite.pragma('optimize');
      } catch {
        // a failing optimize must not keep the file open
      }
      sqlite.close();
      if (markers && damaged === null) recordCleanClose(file);
    },
  };
  try {
    applyPragmas(sqlite, memory);
    runMigrations(db, options.migrationsFolder ?? findMigrationsFolder(), file);
  } catch (e) {
    closed = true;
    sqlite.close();
    throw noted(e);
  }
  return db;
}

/**
 * Opens an existing store read-only, as it is: no checks, no pragmas that write, no migrations (another process may
 * be creating or migrating it). For watching a store another process writes (the benchmark, diagnostics): every
 * read repository works on it; a write fails with ReadonlyDatabaseError. Throws CannotOpenDatabaseError when the
 * file does not exist.
 */
export function openDatabaseReadOnly(file: string, options: { busyTimeoutMs?: number } = {}): Db {
  let sqlite: Database.Database;
  try {
    sqlite = new Database(file, { readonly: true, fileMustExist: true });
  } catch (e) {
    throw toStoreError(e);
  }
  sqlite.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
  return {
    sqlite,
    orm: drizzle(sqlite, { schema }),
    damaged: null,
    noteError: toStoreError,
    close() {
      if (sqlite.open) sqlite.close();
    },
  };
}
