// Periodic upkeep for the gmail-maintenance queue: compact the search index, give freed pages
// back to the file system (auto_vacuum=INCREMENTAL), refresh the planner's statistics.
import type { Db } from './client';
import { guarded } from './internal';

/**
 * Merges FTS5 segments (https://sqlite.org/fts5.html#the_optimize_command), runs an incremental
 * vacuum and PRAGMA optimize. Safe while other connections read and write (it takes the write
 * lock briefly, waiting on busy_timeout).
 */
export const optimize = guarded(function optimize(db: Db): void {
  db.sqlite.prepare("INSERT INTO messages_fts(messages_fts) VALUES ('optimize')").run();
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
    db.sqlite.prepare("INSERT INTO messages_fts(messages_fts, rank) VALUES ('integrity-check', 1)").run();
  } catch (e) {
    problems.push(`messages_fts: ${(e as Error).message}`);
  }
  return problems;
}

/** Rebuilds the search index from the messages table (repair after checkIntegrity complains). */
export const rebuildSearchIndex = guarded(function rebuildSearchIndex(db: Db): void {
  db.sqlite.prepare("INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')").run();
});
