// The store file's health. A damaged file (SQLITE_CORRUPT / SQLITE_NOTADB, or one emptied in a folder that was in
// use) is one unrecoverable state: it is checked before use, the damage is remembered beside the file so every
// process refuses it at once, nothing more is written to it, and the way out is a rebuild into a new file with the
// damaged one kept aside. https://sqlite.org/pragma.html#pragma_quick_check
//
// Cost of the check at start, measured on a 20,000-message mirror (62 MB, 2-core Xeon, page cache warm/cold):
// PRAGMA quick_check 120–320 ms, integrity_check 175–290 ms: about 200–500 MB/s. So it is bounded: skipped when the
// file is byte for byte as a process left it at a clean close (the clean-close marker below), and skipped at open
// above CHECK_AT_OPEN_MAX_BYTES (~2.5 s), where the maintenance job's integrity_check covers it in the background.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { DatabaseDamagedError, toStoreError, type DamageKind } from './errors';

/** Remembers that the file beside it is damaged (JSON: when, what, and which file by inode). */
export const DAMAGE_MARKER_SUFFIX = '.damaged';
/** Written at a clean close: the file's identity then; a file still matching it needs no check at open. */
export const CLEAN_MARKER_SUFFIX = '.clean';
/** Remembers when the whole file last passed PRAGMA integrity_check (the maintenance job runs it about daily). */
export const FULL_CHECK_SUFFIX = '.checked';
/** Above this, the check at open is skipped (a 3 GB mirror would wait ~10 s); the daily integrity_check runs. */
export const CHECK_AT_OPEN_MAX_BYTES = 512 * 1024 * 1024;
/** SQLite's companions of a database file: they belong to it wherever it goes. */
export const SIDE_SUFFIXES = ['-wal', '-shm', '-journal'] as const;

type FileId = { ino: string; size: string; mtimeNs: string };

function fileId(file: string): FileId | null {
  try {
    const s = statSync(file, { bigint: true });
    return { ino: String(s.ino), size: String(s.size), mtimeNs: String(s.mtimeNs) };
  } catch {
    return null;
  }
}

function fileSize(file: string): number | null {
  try {
    return statSync(file).size;
  } catch {
    return null;
  }
}

/** Atomic, private (0600), and never fatal: a marker that cannot be written (a full disk) only costs a check. */
function writeMarker(file: string, value: object): void {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  try {
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(value));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch {
    rmSync(tmp, { force: true });
  }
}

function readMarker(file: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Damage, remembered

type DamageRecord = { detectedAt: string; kind: DamageKind; message: string; ino: string | null };

/** Remembers the damage beside the file, so every process (CLI, app, workers elsewhere) refuses it at once. */
export function recordDamage(dbFile: string, err: DatabaseDamagedError): void {
  const marker = `${dbFile}${DAMAGE_MARKER_SUFFIX}`;
  const ino = fileId(dbFile)?.ino ?? null;
  const current = readMarker(marker);
  if (current && current.ino === ino) return; // the first finding is the one kept
  const record: DamageRecord = { detectedAt: new Date().toISOString(), kind: err.kind, message: err.message, ino };
  writeMarker(marker, record);
}

/**
 * The damage recorded for this file, or null. A marker about another file (the user put a backup in its place) is
 * stale: it is removed, and that file gets a full check instead.
 */
export function recordedDamage(dbFile: string): DatabaseDamagedError | null {
  const marker = `${dbFile}${DAMAGE_MARKER_SUFFIX}`;
  if (!existsSync(marker)) return null;
  const r = readMarker(marker);
  const ino = fileId(dbFile)?.ino ?? null;
  if (!r || (ino !== null && r.ino !== null && r.ino !== ino)) {
    rmSync(marker, { force: true });
    return null;
  }
  const kind = r.kind === 'empty' || r.kind === 'not_a_database' ? r.kind : 'corrupt';
  const message = typeof r.message === 'string' && r.message ? r.message : 'The mailbox database is damaged';
  return new DatabaseDamagedError(message, { kind });
}

/** Whether damage is recorded beside the file (cheap: workers ask before every job). */
export function damageRecorded(dbFile: string): boolean {
  return existsSync(`${dbFile}${DAMAGE_MARKER_SUFFIX}`);
}

export function clearRecordedDamage(dbFile: string): void {
  rmSync(`${dbFile}${DAMAGE_MARKER_SUFFIX}`, { force: true });
}

// ---------------------------------------------------------------------------------------------
// Clean close, remembered

/**
 * Called after the connection closed without having seen damage. Only when no write-ahead log is left (this was
 * the last connection, so the file is complete): otherwise another process is still writing and the next open
 * checks anyway.
 */
export function recordCleanClose(dbFile: string): void {
  const wal = fileSize(`${dbFile}-wal`);
  if (wal !== null && wal > 0) return;
  const id = fileId(dbFile);
  if (id) writeMarker(`${dbFile}${CLEAN_MARKER_SUFFIX}`, id);
}

/** The file is exactly as a clean close left it (same inode, size and mtime; no log waiting to be replayed). */
export function isKnownClean(dbFile: string): boolean {
  const wal = fileSize(`${dbFile}-wal`);
  if (wal !== null && wal > 0) return false;
  const m = readMarker(`${dbFile}${CLEAN_MARKER_SUFFIX}`);
  const id = fileId(dbFile);
  return !!m && !!id && m.ino === id.ino && m.size === id.size && m.mtimeNs === id.mtimeNs;
}

/** Whether the last full check of the file is older than `everyMs` (or unknown). */
export function fullCheckDue(dbFile: string, everyMs: number, now = Date.now()): boolean {
  const at = readMarker(`${dbFile}${FULL_CHECK_SUFFIX}`)?.checkedAt;
  return typeof at !== 'number' || !(now - at < everyMs) || at > now;
}

export function recordFullCheck(dbFile: string, now = Date.now()): void {
  writeMarker(`${dbFile}${FULL_CHECK_SUFFIX}`, { checkedAt: now });
}

// ---------------------------------------------------------------------------------------------
// Checks

/**
 * PRAGMA quick_check (O(N), no index-content cross check) or integrity_check: the problems found, empty when
 * healthy. SQLite may also throw SQLITE_CORRUPT instead of listing problems; that is a problem too. Other errors
 * (busy, I/O) are thrown: they say nothing about damage.
 */
export function storeProblems(sqlite: Database.Database, kind: 'quick' | 'full' = 'quick'): string[] {
  const pragma = kind === 'quick' ? 'quick_check' : 'integrity_check';
  try {
    const rows = sqlite.pragma(pragma) as Array<Record<string, string>>;
    return rows.map((r) => r[pragma]).filter((v) => v !== 'ok');
  } catch (e) {
    if (toStoreError(e) instanceof DatabaseDamagedError) return [(e as Error).message];
    throw e;
  }
}

export type VerifyMode = 'auto' | 'always' | 'never';

export type VerifyOptions = {
  /** auto: skip a file known clean or too big to check quickly; always: check any file (repair). */
  mode: VerifyMode;
  /** Consult the markers beside the file (recorded damage, clean close): the app's own store. */
  markers: boolean;
  /** The folder was in use (a key, settings, …): an empty database there was emptied, not new. */
  folderInUse?: () => boolean;
};

export const EMPTY_DATABASE_MESSAGE =
  'The mailbox database is damaged: it is empty but this folder was in use (it holds the key of your accounts’ sign-ins), so the mirror was lost';

/**
 * What the user reads: how much SQLite's check found, not its page-by-page report (jargon in a sync panel). The
 * report itself goes to the log where the check runs.
 */
export function damageMessage(problems: string[]): string {
  const n = problems.length;
  return `The mailbox database is damaged (SQLite's integrity check found ${n === 0 ? 'damage' : n === 1 ? 'a problem' : `${n} problems`})`;
}

/**
 * Before the file is opened for writing: recorded damage, an emptied file, then (bounded, see above) quick_check on
 * a read-only connection, which cannot write to the file even on close. Throws DatabaseDamagedError.
 */
export function verifyStoreFile(dbFile: string, opts: VerifyOptions): void {
  const recorded = opts.markers ? recordedDamage(dbFile) : null;
  if (recorded) throw recorded;
  const size = fileSize(dbFile);
  if (size === null) return; // a new store
  if (size === 0) {
    // SQLite would silently make a new, empty store of it, and every account would look never synced.
    if (opts.folderInUse?.()) throw new DatabaseDamagedError(EMPTY_DATABASE_MESSAGE, { kind: 'empty' });
    return;
  }
  if (opts.mode === 'never') return;
  if (opts.mode === 'auto' && (size > CHECK_AT_OPEN_MAX_BYTES || (opts.markers && isKnownClean(dbFile)))) return;
  let problems: string[];
  let ro: Database.Database | undefined;
  try {
    ro = new Database(dbFile, { readonly: true, fileMustExist: true });
    ro.pragma('busy_timeout = 5000');
    problems = storeProblems(ro, 'quick');
  } catch (e) {
    const mapped = toStoreError(e);
    if (!(mapped instanceof DatabaseDamagedError)) return; // cannot check read-only (e.g. a log to recover): the open will tell
    problems = [(e as Error).message];
  } finally {
    ro?.close();
  }
  if (problems.length === 0) return;
  throw new DatabaseDamagedError(damageMessage(problems), {
    cause: new Error(problems.join('\n')),
    kind: problems.some((p) => /not a database/i.test(p)) ? 'not_a_database' : 'corrupt',
  });
}

// ---------------------------------------------------------------------------------------------
// Rebuild: what can be read of the damaged file, and setting it aside

/** An account as read from a damaged file: enough to sync it again (its token, if still readable). */
export type SalvagedAccount = {
  id: number;
  email: string;
  tokenCipher: string | null;
  includeSpamTrash: boolean;
};

/**
 * The accounts that can still be read, on a read-only connection (a damaged page under the accounts table ends the
 * list there; none at all when the file is not a database). Nothing is written.
 */
export function salvageAccounts(source: string | Database.Database): SalvagedAccount[] {
  const out: SalvagedAccount[] = [];
  let own: Database.Database | undefined;
  try {
    const sqlite = typeof source === 'string' ? (own = new Database(source, { readonly: true, fileMustExist: true })) : source;
    const rows = sqlite
      .prepare('SELECT id, email, token_cipher AS tokenCipher, include_spam_trash AS includeSpamTrash FROM accounts ORDER BY id')
      .iterate() as IterableIterator<{ id: unknown; email: unknown; tokenCipher: unknown; includeSpamTrash: unknown }>;
    for (const r of rows) {
      if (typeof r.id !== 'number' || !Number.isSafeInteger(r.id) || r.id <= 0) continue;
      if (typeof r.email !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(r.email)) continue;
      out.push({
        id: r.id,
        email: r.email,
        tokenCipher: typeof r.tokenCipher === 'string' && r.tokenCipher ? r.tokenCipher : null,
        includeSpamTrash: r.includeSpamTrash !== 0,
      });
    }
  } catch {
    // what was read so far is what can be saved
  } finally {
    own?.close();
  }
  return out;
}

/** `mailmirror.db` → `mailmirror.damaged-20261129T071530Z.db` (a new name if that one is taken). */
export function damagedName(dbFile: string, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const dir = dirname(dbFile);
  const stem = basename(dbFile).replace(/\.db$/, '');
  for (let i = 0; ; i++) {
    const candidate = join(dir, `${stem}.damaged-${stamp}${i ? `-${i}` : ''}.db`);
    if (!existsSync(candidate)) return candidate;
  }
}

/**
 * Renames the damaged file and its -wal/-shm beside it (kept for a look or a recovery tool), and forgets its
 * markers. Returns the new path. The caller has closed every connection of this process to it.
 */
export function setDamagedFileAside(dbFile: string, now = new Date()): string | null {
  if (!existsSync(dbFile)) {
    clearRecordedDamage(dbFile);
    return null;
  }
  const target = damagedName(dbFile, now);
  // Its log first: a -wal left behind would be replayed into the new file made under the old name.
  for (const suffix of SIDE_SUFFIXES) {
    if (existsSync(`${dbFile}${suffix}`)) renameSync(`${dbFile}${suffix}`, `${target}${suffix}`);
  }
  renameSync(dbFile, target);
  clearRecordedDamage(dbFile);
  rmSync(`${dbFile}${CLEAN_MARKER_SUFFIX}`, { force: true });
  rmSync(`${dbFile}${FULL_CHECK_SUFFIX}`, { force: true });
  return target;
}
