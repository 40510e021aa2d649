// Turns stubs into messageBatch jobs. Stubs live in the store; jobs only point at them, so a job that
// runs twice or after the stub was fetched costs nothing (the processor re-checks the store).
import { JOB_SCHEMAS, JOBS, PRIORITY, QUEUE_DEFAULTS } from '../queues/definitions';
import type { SyncDeps } from './sync-deps';
import { chunk } from './map-limit';

// Sizes measured with `npm run bench` (issue 8): per-job costs (BullMQ round trips, the account/run lookups, one
// SQLite transaction) are paid per job, so bigger jobs cost less CPU per message; a job's messages become
// readable together when it commits, and jobs run in order under the quota (the governor serves the older job
// first), so at Gmail's real `2026` pace (5 messages.get/s) a 50-message job is ~10 s of mail.
export const MESSAGES_PER_JOB = 50;
/** Thread jobs carry threads of two messages or more (lone messages go by messages.get): ~3.5 messages each. */
export const THREADS_PER_JOB = 20;

export type FetchItem = { gmailId: string; threadId: string; priority: number };

/**
 * How details are fetched (MAILMIRROR_FETCH_STRATEGY; the benchmark forces each to measure its units):
 * - `auto` (default): per thread, whichever costs fewer units once the thread's size is known from the listing —
 *   threads.get (twice a messages.get, every message of the thread) from two pending messages on, else messages.get;
 * - `messages`: messages.get for every message;
 * - `threads`: threads.get for every thread, even a lone message.
 */
export type FetchStrategy = 'auto' | 'messages' | 'threads';

export function fetchStrategy(env: NodeJS.ProcessEnv = process.env): FetchStrategy {
  const v = env.MAILMIRROR_FETCH_STRATEGY;
  return v === 'messages' || v === 'threads' ? v : 'auto';
}

/** Store priority (0 incremental, 1 INBOX, 2 rest) → BullMQ priority. */
export function jobPriority(storePriority: number): number {
  return storePriority <= 0 ? PRIORITY.incrementalBatch : storePriority === 1 ? PRIORITY.inboxBatch : PRIORITY.batch;
}

/**
 * Enqueues fetch jobs: whole threads for `threads` (the processor decides per thread how to fetch them), single
 * messages (messages.get) for `messages`. Items keep their order (newest first) within a priority, so INBOX and
 * recent mail are fetched first. One Redis round trip for all the jobs (addBulk), not one per job.
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
  const def = JOBS.messageBatch;
  const jobs: { name: 'messageBatch'; data: unknown; opts: Record<string, unknown> }[] = [];
  for (const [priority, s] of [...byPriority].sort((a, b) => a[0] - b[0])) {
    // The same options SyncQueues.add gives every job: bounded attempts with backoff, retention, a priority.
    const opts = { attempts: def.attempts, backoff: { type: 'exponential', delay: def.backoffMs }, ...QUEUE_DEFAULTS, priority };
    for (const ids of chunk([...new Set(s.ids)], MESSAGES_PER_JOB)) {
      jobs.push({ name: 'messageBatch', data: JOB_SCHEMAS.messageBatch.parse({ accountId, gmailIds: ids, threadIds: [] }), opts });
    }
    for (const threadIds of chunk([...new Set(s.threads)], THREADS_PER_JOB)) {
      jobs.push({ name: 'messageBatch', data: JOB_SCHEMAS.messageBatch.parse({ accountId, gmailIds: [], threadIds }), opts });
    }
  }
  if (jobs.length > 0) await deps.queues.queues[def.queue].addBulk(jobs);
  return jobs.length;
}
