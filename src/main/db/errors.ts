// One error class per store condition, each with a string `code` (CONVENTIONS.md), so callers
// and the IPC layer can tell "disk full" from "corrupt file" without parsing SQLite messages.
// SQLite result codes: https://sqlite.org/rescode.html
import type { IpcErrorCode } from '../../shared/ipc';
import { MailmirrorError } from '../errors';

export type StoreErrorCode =
  | 'DISK_FULL'
  | 'DB_DAMAGED'
  | 'READONLY'
  | 'BUSY'
  | 'CANT_OPEN'
  | 'IO'
  | 'MIGRATION'
  | 'NEWER_SCHEMA'
  | 'INVALID_CURSOR';

/**
 * A failure of the store, never thrown itself. The contract has no code for most of them (a full disk, a read-only
 * file): they cross as INTERNAL with their message, which says what happened.
 */
export abstract class StoreError extends MailmirrorError {
  abstract override readonly code: StoreErrorCode;
  readonly ipcCode: IpcErrorCode = 'INTERNAL';
  /** The SQLite extended result code (e.g. SQLITE_IOERR_WRITE) when one caused this error. */
  readonly sqliteCode: string | undefined;

  constructor(message: string, options?: { cause?: unknown; sqliteCode?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.sqliteCode = options?.sqliteCode;
  }
}

export class DiskFullError extends StoreError {
  readonly code = 'DISK_FULL';
  constructor(message = 'The disk holding the mailbox database is full', options?: { cause?: unknown; sqliteCode?: string }) {
    super(message, options);
  }
}

/** Why the store is damaged: what SQLite found, or a database file emptied in a folder that was in use. */
export type DamageKind = 'corrupt' | 'not_a_database' | 'empty';

/**
 * The one unrecoverable store state: SQLite answered "database disk image is malformed" (SQLITE_CORRUPT*) or
 * "file is not a database" (SQLITE_NOTADB), a check found damage, or the file was emptied in a folder that was in
 * use. Nothing is retried and nothing more is written to the file; the way out is a rebuild from Gmail into a new
 * file (the damaged one is kept aside). https://sqlite.org/rescode.html#corrupt
 */
export class DatabaseDamagedError extends StoreError {
  readonly code = 'DB_DAMAGED';
  override readonly ipcCode = 'DB_DAMAGED';
  readonly kind: DamageKind;

  constructor(message = 'The mailbox database is damaged', options?: { cause?: unknown; sqliteCode?: string; kind?: DamageKind }) {
    super(message, options);
    this.kind = options?.kind ?? (options?.sqliteCode === 'SQLITE_NOTADB' ? 'not_a_database' : 'corrupt');
  }
}

export class ReadonlyDatabaseError extends StoreError {
  readonly code = 'READONLY';
  constructor(message = 'The mailbox database cannot be written (read-only file or folder)', options?: { cause?: unknown; sqliteCode?: string }) {
    super(message, options);
  }
}

export class DatabaseBusyError extends StoreError {
  readonly code = 'BUSY';
  constructor(message = 'The mailbox database stayed locked by another process', options?: { cause?: unknown; sqliteCode?: string }) {
    super(message, options);
  }
}

export class CannotOpenDatabaseError extends StoreError {
  readonly code = 'CANT_OPEN';
  constructor(message = 'The mailbox database file cannot be opened', options?: { cause?: unknown; sqliteCode?: string }) {
    super(message, options);
  }
}

export class DatabaseIoError extends StoreError {
  readonly code = 'IO';
  constructor(message = 'A disk I/O error occurred on the mailbox database', options?: { cause?: unknown; sqliteCode?: string }) {
    super(message, options);
  }
}

export class MigrationError extends StoreError {
  readonly code = 'MIGRATION';
  constructor(message: string, options?: { cause?: unknown; sqliteCode?: string }) {
    super(message, options);
  }
}

/** The file was migrated by a newer Mailmirror: this version does not know its schema. */
export class DatabaseTooNewError extends StoreError {
  readonly code = 'NEWER_SCHEMA';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export class InvalidCursorError extends StoreError {
  readonly code = 'INVALID_CURSOR';
  override readonly ipcCode = 'INVALID_REQUEST';
  constructor(message = 'The message list cursor is not valid') {
    super(message);
  }
}

/**
 * A search the store cannot read (Gmail's search language, src/shared/gmail-query.ts): the message names the part
 * and where it starts; `start`/`end` (UTF-16 offsets into `query`) let a UI underline it. Not a StoreError: the
 * store is fine, the request is not.
 */
export class SearchQueryError extends MailmirrorError {
  readonly code = 'SEARCH_QUERY';
  readonly ipcCode = 'INVALID_REQUEST';
  constructor(
    message: string,
    readonly query: string,
    readonly start: number,
    readonly end: number,
  ) {
    super(message);
  }
}

/** A rebuild was asked of a store that checks out healthy: there is nothing to rebuild. */
export class StoreNotDamagedError extends MailmirrorError {
  readonly code = 'STORE_NOT_DAMAGED';
  readonly ipcCode = 'UNSUPPORTED';
}

/** The SQLite result code of the error or of one of its causes (drizzle may wrap driver errors). */
function sqliteCodeOf(e: unknown): string | undefined {
  let current: unknown = e;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('SQLITE_')) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Turns a better-sqlite3 error into the matching StoreError; anything else (a programming error,
 * a constraint violation, a StoreError already) is returned unchanged.
 */
export function toStoreError(e: unknown): unknown {
  if (e instanceof StoreError) return e;
  const sqliteCode = sqliteCodeOf(e);
  if (sqliteCode === undefined) {
    // better-sqlite3 refuses a path whose folder does not exist before SQLite sees it.
    if (e instanceof TypeError && /directory does not exist/i.test(e.message)) {
      return new CannotOpenDatabaseError(`The mailbox database cannot be opened: ${e.message}`, { cause: e });
    }
    return e;
  }
  const detail = e instanceof Error ? e.message : String(e);
  const options = { cause: e, sqliteCode };
  if (sqliteCode === 'SQLITE_FULL' || sqliteCode === 'SQLITE_IOERR_SHMSIZE') {
    return new DiskFullError(`The disk holding the mailbox database is full (${detail})`, options);
  }
  if (sqliteCode.startsWith('SQLITE_CORRUPT') || sqliteCode === 'SQLITE_NOTADB') {
    return new DatabaseDamagedError(`The mailbox database is damaged (${detail})`, options);
  }
  if (sqliteCode.startsWith('SQLITE_READONLY') || sqliteCode === 'SQLITE_PERM' || sqliteCode === 'SQLITE_AUTH') {
    return new ReadonlyDatabaseError(`The mailbox database cannot be written (${detail})`, options);
  }
  if (sqliteCode.startsWith('SQLITE_BUSY') || sqliteCode.startsWith('SQLITE_LOCKED')) {
    return new DatabaseBusyError(`The mailbox database stayed locked by another process (${detail})`, options);
  }
  if (sqliteCode.startsWith('SQLITE_CANTOPEN')) {
    return new CannotOpenDatabaseError(`The mailbox database cannot be opened (${detail})`, options);
  }
  if (sqliteCode.startsWith('SQLITE_IOERR')) {
    return new DatabaseIoError(`A disk I/O error occurred on the mailbox database (${detail})`, options);
  }
  return e;
}
