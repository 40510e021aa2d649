// Turns stubs into messageBatch jobs. Stubs live in the store; jobs only point at them, so a job that
// runs twice or after the stub was fetched costs nothing (the processor re-checks the store).
import { PRIORITY } from '../queues/definitions';
import type { SyncDeps } from './sync-deps';
import { chunk } from './map-limit';

export const MESSAGES_PER_JOB = 25;
export const THREADS_PER_JOB = 10;

export type FetchItem = { gmailId: string; threadId: string; priority: number };

/** Store priority (0 incremental, 1 INBOX, 2 rest) → BullMQ priority. */
export function jobPriority(storePriority: number): number {
  return storePriority <= 0 ? PRIORITY.incrementalBatch : storePriority === 1 ? PRIORITY.inboxBatch : PRIORITY.batch;
}

/**
 * Enqueues fetch jobs: whole threads (threads.get) for `threadIds`, single messages (messages.get) for
 * the rest. Items keep their order (newest first), so INBOX and recent mail are fetched first.
 */
export async function enqueueFetch(
  deps: SyncDeps,
  accountId: number,
  messages: readonly FetchItem[],
  threads: readonly FetchItem[],
): Promise<number> {
  const byPriority = new Map<number, { ids: string[]; threads: string[] }>();
  const slot = (p: number) => {
    let s = byPriority.get(p);
    if (!s) byPriority.set(p, (s = { ids: [], threads: [] }));
    return s;
  };
  for (const m of messages) slot(jobPriority(m.priority)).ids.push(m.gmailId);
  for (const t of threads) slot(jobPriority(t.priority)).threads.push(t.threadId);
  let jobs = 0;
  for (const [priority, s] of [...byPriority].sort((a, b) => a[0] - b[0])) {
    for (const ids of chunk(s.ids, MESSAGES_PER_JOB)) {
      await deps.queues.add('messageBatch', { accountId, gmailIds: ids, threadIds: [] }, { priority });
      jobs++;
    }
    for (const threadIds of chunk([...new Set(s.threads)], THREADS_PER_JOB)) {
      await deps.queues.add('messageBatch', { accountId, gmailIds: [], threadIds }, { priority });
      jobs++;
    }
  }
  return jobs;
}
