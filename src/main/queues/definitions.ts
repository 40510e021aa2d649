// One table of queues, their jobs and workers (the seed's queueDefinitions, corrected as DESIGN.md says):
// each job has a zod payload schema checked before it runs, bounded attempts with exponential backoff,
// retention limits, a priority (BullMQ runs unprioritized jobs before prioritized ones, so every job
// has one) and a per-job concurrency inside its queue's worker.
import { z } from 'zod';

const accountId = z.number().int().positive();

export const JOB_SCHEMAS = {
  /** labels.list + labels.get per label (counts). Runs first so labels show within seconds. */
  labelSync: z.object({ accountId }),
  /** A slice of the two-phase initial (or full, reconciling) sync: listing checkpointed in the store. */
  initialSync: z.object({ accountId, mode: z.enum(['initial', 'full']) }),
  /** history.list from the stored historyId, every page, applied in one transaction. */
  incrementalSync: z.object({ accountId }),
  /** Details of stubs, by Gmail message id and/or thread id (one schema for initial and incremental). */
  messageBatch: z.object({
    accountId,
    gmailIds: z.array(z.string().min(1)).max(100),
    threadIds: z.array(z.string().min(1)).max(100),
  }),
  /** Originals of messages stored without them, after row id `afterId` (sync/source-backfill.ts). */
  sourceBackfill: z.object({ accountId, afterId: z.number().int().nonnegative() }),
  /** labels.get for some labels (counts after a change). */
  labelUpdate: z.object({ accountId, labelIds: z.array(z.string().min(1)).max(1000) }),
  /** Compares Gmail's label counts with the mirror's; repairs a drift with a targeted resync. */
  syncHealthCheck: z.object({ accountId }),
  /** Finished-job and store clean-up, FTS optimise, incremental vacuum. */
  storeMaintenance: z.object({}),
  /** Re-creates the incremental schedule of every eligible account (start-up sweep). */
  scheduledIncrementalSync: z.object({}),
} as const;

export type JobName = keyof typeof JOB_SCHEMAS;
export type JobData<N extends JobName> = z.infer<(typeof JOB_SCHEMAS)[N]>;

export type QueueName = 'gmail-sync' | 'gmail-labels' | 'gmail-maintenance';

/** Lower runs first. Incremental work beats the initial backlog; labels beat everything. */
export const PRIORITY = {
  labels: 1,
  incremental: 2,
  incrementalBatch: 3,
  initial: 4,
  inboxBatch: 5,
  batch: 6,
  /** Originals of messages already mirrored: behind all new mail. */
  backfill: 8,
  maintenance: 10,
} as const;

type JobDef = { queue: QueueName; concurrency: number; attempts: number; backoffMs: number };

export const JOBS: Record<JobName, JobDef> = {
  labelSync: { queue: 'gmail-labels', concurrency: 2, attempts: 8, backoffMs: 2000 },
  labelUpdate: { queue: 'gmail-labels', concurrency: 2, attempts: 5, backoffMs: 2000 },
  initialSync: { queue: 'gmail-sync', concurrency: 2, attempts: 10, backoffMs: 2000 },
  incrementalSync: { queue: 'gmail-sync', concurrency: 2, attempts: 8, backoffMs: 2000 },
  messageBatch: { queue: 'gmail-sync', concurrency: 6, attempts: 10, backoffMs: 1000 },
  sourceBackfill: { queue: 'gmail-sync', concurrency: 1, attempts: 10, backoffMs: 5000 },
  syncHealthCheck: { queue: 'gmail-maintenance', concurrency: 1, attempts: 3, backoffMs: 5000 },
  storeMaintenance: { queue: 'gmail-maintenance', concurrency: 1, attempts: 2, backoffMs: 5000 },
  scheduledIncrementalSync: { queue: 'gmail-maintenance', concurrency: 1, attempts: 3, backoffMs: 5000 },
};

export const QUEUE_NAMES: QueueName[] = ['gmail-sync', 'gmail-labels', 'gmail-maintenance'];

export const QUEUE_DEFAULTS = {
  removeOnComplete: { age: 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 5000 },
} as const;

/** A worker's concurrency is the sum of its jobs' (each job name is then bounded in-process). */
export function workerConcurrency(queue: QueueName): number {
  return Object.values(JOBS).filter((d) => d.queue === queue).reduce((n, d) => n + d.concurrency, 0);
}
