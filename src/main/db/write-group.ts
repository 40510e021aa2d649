// Group commit for fetched details: the message jobs of one process that finish fetching at about the same time (in
// the same turn of the event loop) write in one SQLite transaction, each job in its own savepoint. A commit costs
// the same whatever it carries (the WAL frames of pages every job touches: indexes, FTS5's new segment, the label
// counts), so fewer, larger commits cost less CPU per message (issue 14: ~14% of the write path from 50 to 250
// messages a commit) while each job stays as small as before: a job still completes only once its own messages are
// committed, so a crash loses no more than it did.
import type { Db } from './client';
import { transaction } from './internal';

type Write = { run: () => void; done: (e?: unknown) => void };

/** The writes waiting for the next group commit, per store connection. */
const waiting = new Map<Db, Write[]>();

function flush(db: Db): void {
  const group = waiting.get(db) ?? [];
  waiting.delete(db);
  const failed = new Map<Write, unknown>();
  try {
    transaction(db, () => {
      for (const w of group) {
        try {
          // A savepoint: a job whose write fails is rolled back alone and fails alone (BullMQ retries it).
          transaction(db, w.run);
        } catch (e) {
          // Some failures (a full disk, an I/O error) end the whole transaction in SQLite: then the group fails.
          if (!db.sqlite.inTransaction) throw e;
          failed.set(w, e);
        }
      }
    });
  } catch (e) {
    for (const w of group) w.done(e);
    return;
  }
  for (const w of group) w.done(failed.get(w));
}

/**
 * Runs `write` in the next group commit on `db` and resolves once it is committed (rejects with its error, or with
 * the commit's). Writes asked for in the same turn of the event loop share the transaction, in the order asked.
 */
export function writeInGroup(db: Db, write: () => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let group = waiting.get(db);
    if (!group) {
      waiting.set(db, (group = []));
      setImmediate(() => flush(db));
    }
    group.push({ run: write, done: (e) => (e === undefined ? resolve() : reject(e)) });
  });
}
