// A full disk under the data folder stops everything at once: SQLite answers SQLITE_FULL, and the embedded
// redis-server refuses every write ("MISCONF Errors writing to the AOF file: No space left on device"). Retrying
// cannot help until space is freed, and the failure could not even be recorded in the store, so the workers
// remember it in memory and `sync --wait` stops with one clear line: the store stays consistent (each batch is
// one transaction) and the next sync resumes from it. Redis' AOF rule: https://redis.io/docs/latest/operate/oss_and_stack/management/persistence/
// The store's errors arrive mapped already (every repository goes through db's guarded()): a full disk under SQLite
// is a DiskFullError here.
import { DiskFullError } from '../db/errors';

/** Why storage refused a write, in words for the user, or null when `e` is not a storage failure. */
export function storageFailure(e: unknown): string | null {
  if (e instanceof DiskFullError) return 'the disk holding the mailbox database is full';
  const code = e && typeof e === 'object' ? (e as { code?: unknown }).code : undefined;
  const message = e instanceof Error ? e.message : String(e);
  if (code === 'ENOSPC' || /no space left on device/i.test(message)) return 'the disk holding the data folder is full';
  if (/^MISCONF\b/.test(message)) return 'Redis cannot write its data to disk';
  return null;
}
