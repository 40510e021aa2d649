// The app's BullMQ queues: adding jobs (payloads validated against the table), schedules, counts.
import { Queue, type Job, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  JOB_SCHEMAS,
  JOBS,
  QUEUE_DEFAULTS,
  QUEUE_NAMES,
  PRIORITY,
  type JobData,
  type JobName,
  type QueueName,
} from './definitions';

export class SyncQueues {
  readonly queues: Record<QueueName, Queue>;

  /**
   * `onError` hears the queues' own errors. Without a listener BullMQ prints each one, stack and all, on stderr
   * (QueueBase.emit falls back to console.error): a Redis outage became a screenful of ECONNREFUSED traces.
   */
  constructor(connection: Redis, readonly prefix: string, onError: (e: Error, queue: QueueName) => void = () => undefined) {
    this.queues = Object.fromEntries(
      QUEUE_NAMES.map((name) => {
        const q = new Queue(name, { connection, prefix });
        q.on('error', (e: Error) => onError(e, name));
        return [name, q];
      }),
    ) as Record<QueueName, Queue>;
  }

  /** Adds a job after checking its payload; every job gets attempts, backoff, retention and a priority. */
  async add<N extends JobName>(name: N, data: JobData<N>, opts: JobsOptions & { priority: number }): Promise<Job> {
    const payload = JOB_SCHEMAS[name].parse(data);
    const def = JOBS[name];
    return this.queues[def.queue].add(name, payload, {
      attempts: def.attempts,
      backoff: { type: 'exponential', delay: def.backoffMs },
      ...QUEUE_DEFAULTS,
      ...opts,
    });
  }

  /**
   * One job of this kind per account at a time, however often it is asked for: at most one active and
   * one waiting (BullMQ deduplication with keepLastIfActive).
   */
  async addOnce<N extends JobName>(name: N, data: JobData<N> & { accountId: number }, priority: number, delay = 0): Promise<void> {
    await this.add(name, data, {
      priority,
      delay,
      deduplication: { id: `${name}:${data.accountId}`, keepLastIfActive: true },
    });
  }

  async scheduleIncremental(accountId: number, everyMs: number): Promise<void> {
    await this.queues['gmail-sync'].upsertJobScheduler(
      `incremental:${accountId}`,
      { every: everyMs },
      {
        name: 'incrementalSync',
        data: JOB_SCHEMAS.incrementalSync.parse({ accountId }),
        opts: {
          priority: PRIORITY.incremental,
          attempts: JOBS.incrementalSync.attempts,
          backoff: { type: 'exponential', delay: JOBS.incrementalSync.backoffMs },
          ...QUEUE_DEFAULTS,
        },
      },
    );
  }

  /** The account's health check (label counts against Gmail's, repairing a drift) on a slow schedule. */
  async scheduleHealthCheck(accountId: number, everyMs: number): Promise<void> {
    await this.queues['gmail-maintenance'].upsertJobScheduler(
      `health:${accountId}`,
      { every: everyMs },
      {
        name: 'syncHealthCheck',
        data: JOB_SCHEMAS.syncHealthCheck.parse({ accountId }),
        opts: { priority: PRIORITY.maintenance, attempts: JOBS.syncHealthCheck.attempts, ...QUEUE_DEFAULTS },
      },
    );
  }

  /** Every schedule of an account (removed, or waiting for a reconnect). */
  async unscheduleIncremental(accountId: number): Promise<void> {
    await this.queues['gmail-sync'].removeJobScheduler(`incremental:${accountId}`);
    await this.queues['gmail-maintenance'].removeJobScheduler(`health:${accountId}`);
  }

  async scheduleMaintenance(everyMs: number): Promise<void> {
    const q = this.queues['gmail-maintenance'];
    const opts = { priority: PRIORITY.maintenance, attempts: 2, ...QUEUE_DEFAULTS };
    await q.upsertJobScheduler('store-maintenance', { every: everyMs }, { name: 'storeMaintenance', data: {}, opts });
  }

  /**
   * Jobs not yet finished over every queue: waiting, active, prioritized, and delayed ones (retries)
   * except the next run of a job scheduler, which is always there.
   */
  async unfinishedCount(): Promise<number> {
    let n = 0;
    for (const q of Object.values(this.queues)) {
      const c = await q.getJobCounts('waiting', 'active', 'prioritized', 'waiting-children');
      n += Object.values(c).reduce((a, b) => a + b, 0);
      const delayed = await q.getDelayed(0, 200);
      n += delayed.filter((j) => !j.repeatJobKey).length;
    }
    return n;
  }

  /**
   * Whether any unfinished job of this name exists for the account. Other kinds of job are few (one per
   * account and kind, deduplicated), so a short sample of each state answers it.
   */
  async hasJobs(name: JobName, accountId: number): Promise<boolean> {
    const q = this.queues[JOBS[name].queue];
    const jobs = await q.getJobs(['active', 'waiting', 'prioritized', 'delayed'], 0, 100);
    return jobs.some((j) => j && j.name === name && (j.data as { accountId?: number }).accountId === accountId);
  }

  /**
   * Runs the account's jobs waiting out a retry backoff now (Gmail is reachable again: no reason to wait out a backoff
   * grown while it was not). Answers how many.
   */
  async promoteDelayed(accountId: number): Promise<number> {
    let n = 0;
    for (const q of Object.values(this.queues)) {
      for (const j of await q.getJobs(['delayed'], 0, 1000)) {
        if (!j || (j.data as { accountId?: number }).accountId !== accountId || j.repeatJobKey) continue;
        await j.promote().then(() => n++, () => undefined); // already moved on: nothing to do
      }
    }
    return n;
  }

  /** Everything in Redis is derived from the store: it can be dropped and rebuilt (start-up reconcile). */
  async obliterateAll(): Promise<void> {
    for (const q of Object.values(this.queues)) await q.obliterate({ force: true });
  }

  async close(): Promise<void> {
    await Promise.all(Object.values(this.queues).map((q) => q.close()));
  }
}
