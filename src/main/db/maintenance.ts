// Periodic upkeep for the gmail-maintenance queue: compact the search index, give freed pages
// back to the file system (auto_vacuum=INCREMENTAL), refresh the planner's statistics.
import { sql } from 'drizzle-orm';
import type { Db } from './client';
import { DatabaseDamagedError } from './errors';
import { guarded } from './internal';
import { damageMessage, fullCheckDue, recordFullCheck, storeProblems } from './store-health';

/**
 * Merges FTS5 segments (https://sqlite.org/fts5.html#the_optimize_command), runs an incremental
 * vacuum and PRAGMA optimize. Safe while other connections read and write (it takes the write
 * lock briefly, waiting on busy_timeout).
 */
export const optimize = guarded(function optimize(db: Db): void {
  db.orm.run(sql`INSERT INTO messages_fts(messages_fts) VALUES ('optimize')`);
  db.sqlite.pragma('incremental_vacuum');
  db.sqlite.pragma('optimize');
});

/**
 * Checks the file and the search index against the messages table. Returns the problems found
 * (empty when healthy); never throws for a damaged file.
 */
export function checkIntegrity(db: Db): string[] {
  const problems: string[] = [];
  try {
    const rows = db.sqlite.pragma('quick_check') as Array<{ quick_check: string }>;
    for (const r of rows) if (r.quick_check !== 'ok') problems.push(r.quick_check);
  } catch (e) {
    problems.push(`quick_check: ${(e as Error).message}`);
  }
  try {
    db.orm.run(sql`INSERT INTO messages_fts(messages_fts, rank) VALUES ('integrity-check', 1)`);
  } catch (e) {
    problems.push(`messages_fts: ${(e as Error).message}`);
  }
  return problems;
}

/**
 * PRAGMA integrity_check over the whole file (every page, and every index against its table; ~175–290 ms for a
 * 20,000-message mirror), when the last one is older than `everyMs` (remembered beside the file): throws
 * DatabaseDamagedError, remembered on the connection, when anything is wrong. Returns whether it ran.
 */
export function assertStoreIntact(db: Db, everyMs = 0): boolean {
  const file = db.sqlite.memory ? null : db.sqlite.name;
  if (file && everyMs > 0 && !fullCheckDue(file, everyMs)) return false;
  const problems = storeProblems(db.sqlite, 'full');
  if (problems.length > 0) throw db.noteError(new DatabaseDamagedError(damageMessage(problems), { cause: new Error(problems.join('\n')) }));
  if (file) recordFullCheck(file);
  return true;
}

/** Rebuilds the search index from the messages table (repair after checkIntegrity complains). */
export const rebuildSearchIndex = guarded(function rebuildSearchIndex(db: Db): void {
  db.orm.run(sql`INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')`);
});
