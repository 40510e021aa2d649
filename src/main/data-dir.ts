// The data folder: created private (0700), and checked writable with one clear error when the disk is read-only or
// the folder is not ours to write, instead of a bare EROFS/EACCES from wherever the first write happens. The Redis
// folder inside it is made with the same helpers (redis/redis-supervisor.ts); the lock on it is data-dir-lock.ts.
import { chmodSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DataDirNotWritableError } from './redis/errors';

/** `e` as DataDirNotWritableError when it says the disk is read-only or writing is not allowed; otherwise undefined. */
export function dataDirWriteError(dataDir: string, e: unknown): DataDirNotWritableError | undefined {
  const err = e as NodeJS.ErrnoException | undefined;
  const where = err?.path ?? dataDir;
  if (err?.code === 'EROFS') return new DataDirNotWritableError(dataDir, 'read-only', `EROFS on ${where}`, { cause: e });
  if (err?.code === 'EACCES' || err?.code === 'EPERM') {
    return new DataDirNotWritableError(dataDir, 'permission', `permission denied on ${where}`, { cause: e });
  }
  return undefined;
}

/**
 * mkdir -p with the real error: Node's recursive mkdirSync reports a read-only disk (EROFS) as ENOENT. New folders
 * get `mode` (0700: private).
 */
export function mkdirp(dir: string, mode = 0o700): void {
  try {
    mkdirSync(dir, { mode });
    return;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && statSync(dir).isDirectory()) return;
    if (code !== 'ENOENT' || dirname(dir) === dir) throw e;
  }
  mkdirp(dirname(dir), mode);
  try {
    mkdirSync(dir, { mode });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e; // made meanwhile by another process: fine
  }
}

/**
 * mkdir -p `dir` (mode 0700 when new) and check that a file can be created in it: an existing folder on a
 * read-only disk passes mkdir. `dataDir` is what the message names (the folder the user chose).
 */
export function ensureWritableDir(dir: string, dataDir = dir): void {
  try {
    mkdirp(dir);
    const probe = join(dir, `.write-test-${process.pid}`);
    writeFileSync(probe, '', { mode: 0o600 });
    rmSync(probe, { force: true });
  } catch (e) {
    throw dataDirWriteError(dataDir, e) ?? e;
  }
}

/** The app's data folder: created if needed, and writable, or DataDirNotWritableError. */
export function ensureDataDir(dataDir: string): void {
  ensureWritableDir(dataDir);
}

/**
 * Creates the data folder (mode 0700) if needed and tightens its mode if it exists: the CLI before any command that
 * uses it, and the key file's owner (gmail/secret-box.ts) before it writes the key.
 */
export function ensurePrivateDataDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (process.platform !== 'win32' && (statSync(dir).mode & 0o077) !== 0) chmodSync(dir, 0o700);
}
