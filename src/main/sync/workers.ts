// BullMQ workers for the queue table: one Worker per queue, dispatching by job name to the processors.
// Payloads are checked against the table's zod schema before anything runs.
import { Worker, UnrecoverableError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { JOB_SCHEMAS, JOBS, QUEUE_NAMES, workerConcurrency, type JobName } from '../queues/definitions';
import { AccountNeedsReconnectError } from '../gmail/account-errors';
import { getActiveRun, finishRun } from '../db/sync-runs';
import { getAccount, updateAccount } from '../db/accounts';
import { errorText } from '../log';
import { DatabaseDamagedError } from '../db/errors';
import type { SyncDeps } from './sync-deps';
import { Semaphore } from './semaphore';
import { labelSyncProcessor, labelUpdateProcessor } from './label-sync';
import { initialSyncProcessor } from './initial-sync';
import { incrementalSyncProcessor } from './incremental-sync';
import { messageBatchProcessor } from './message-batch';
import { maintenanceProcessors } from './maintenance';
import { sourceBackfillProcessor } from './source-backfill';
import { storageFailure } from './storage-failure';
import { isRedisConnectionError } from '../redis';

type Processor = (data: never, deps: SyncDeps, job: Job) => Promise<unknown>;

/** How the workers learn about, and report, a damaged store (the app core keeps that state). */
export type StoreDamageHooks = {
  /** The damage known so far (this process, or recorded beside the file by another), or null. */
  storeDamage(): DatabaseDamagedError | null;
  /** Anything a job threw: SQLite's corrupt / not-a-database errors put the store in the damaged state. */
  onStoreError(e: unknown): unknown;
};

const PROCESSORS: Record<JobName, Processor> = {
  labelSync: labelSyncProcessor,
  labelUpdate: labelUpdateProcessor,
  initialSync: initialSyncProcessor,
  incrementalSync: incrementalSyncProcessor,
  messageBatch: messageBatchProcessor,
  sourceBackfill: sourceBackfillProcessor,
  ...maintenanceProcessors,
};

export class SyncWorkers {
  private readonly workers: Worker[] = [];
  /** A disk-full failure seen since the last job that completed (see storage-failure.ts). */
  private storage: string | null = null;
  /** Jobs whose processor is running in this process, and who waits for that to reach 0. */
  private running = 0;
  private onIdle: (() => void) | null = null;
  private closing: Promise<void> | null = null;

  constructor(
    private readonly deps: SyncDeps,
    connection: Redis,
    prefix: string,
    private readonly damage: StoreDamageHooks | null = null,
  ) {
    const limits = Object.fromEntries(
      (Object.keys(JOBS) as JobName[]).map((n) => [n, new Semaphore(JOBS[n].concurrency)]),
    ) as Record<JobName, Semaphore>;
    for (const queue of QUEUE_NAMES) {
      const worker = new Worker(queue, (job: Job) => this.process(job, limits), {
        connection,
        prefix,
        concurrency: workerConcurrency(queue),
        // A killed process's jobs come back quickly; a job may stall many times across crashes.
        lockDuration: 15_000,
        stalledInterval: 5_000,
        maxStalledCount: 100,
      });
      worker.on('failed', (job, err) => this.onFailed(job, err));
      worker.on('error', (err) => {
        this.storage = storageFailure(err) ?? this.storage;
        // A Redis outage is told once, in one line, by the supervisor's health watch (redis-health.ts).
        if (isRedisConnectionError(err)) return;
        deps.log.error({ err: errorText(err), queue }, 'worker error');
      });
      worker.on('completed', () => {
        this.storage = null;
      });
      this.workers.push(worker);
    }
  }

  private async process(job: Job, limits: Record<JobName, Semaphore>): Promise<unknown> {
    const name = job.name as JobName;
    const schema = JOB_SCHEMAS[name];
    if (!schema) throw new UnrecoverableError(`unknown job "${job.name}"`);
    const parsed = schema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid ${name} payload: ${parsed.error.message}`);
    // A damaged store stops every job at once, without retries: nothing more may be written to it.
    const known = this.damage?.storeDamage();
    if (known) throw new UnrecoverableError(known.message);
    this.running++;
    try {
      return await limits[name].run(() => PROCESSORS[name](parsed.data as never, this.deps, job));
    } catch (e) {
      if (e instanceof AccountNeedsReconnectError) throw new UnrecoverableError(e.message);
      const damaged = this.damagedBy(e);
      if (damaged) throw new UnrecoverableError(damaged.message);
      this.storage = storageFailure(e) ?? this.storage;
      throw e;
    } finally {
      if (--this.running === 0) this.onIdle?.();
    }
  }

  /** The damage `e` revealed, or the damage already known (the store's connection may be closed by now), or null. */
  private damagedBy(e: unknown): DatabaseDamagedError | null {
    if (!this.damage) return null;
    const mapped = this.damage.onStoreError(e);
    if (mapped instanceof DatabaseDamagedError) return mapped;
    return this.damage.storeDamage();
  }

  /** Why the sync cannot progress because storage refuses writes (disk full), or null. */
  storageFailure(): string | null {
    return this.storage;
  }

  /** A job that will not be retried leaves a readable error on the account's sync run. */
  private onFailed(job: Job | undefined, err: Error): void {
    if (!job) return;
    const attempts = job.opts.attempts ?? 1;
    const final = err instanceof UnrecoverableError || err.name === 'UnrecoverableError' || job.attemptsMade >= attempts;
    const accountId = (job.data as { accountId?: number }).accountId;
    this.deps.log.warn({ job: job.name, accountId, attempt: job.attemptsMade, final, err: errorText(err) }, 'job failed');
    if (!final || !accountId) return;
    // Nothing is written into a damaged store, not even the failure: its state is the damage itself.
    if (this.damage?.storeDamage()) return;
    const message = `${job.name} failed: ${errorText(err)}`;
    try {
      // A refused token pauses the sync instead of failing it: the account is flagged "needs reconnect" with its own
      // message, and its run stays unfinished so that reconnecting resumes it where it stopped.
      if (getAccount(this.deps.db, accountId)?.status === 'needs_reconnect') {
        this.deps.events.emit('accounts:changed', { accountId });
        return;
      }
      const run = getActiveRun(this.deps.db, accountId, ['initial', 'full']);
      if (run) finishRun(this.deps.db, run.id, 'failed', message);
      updateAccount(this.deps.db, accountId, { lastError: message });
    } catch {
      /* the account may have been removed meanwhile */
    }
    this.deps.events.emit('accounts:changed', { accountId });
    this.deps.events.emit('sync:progress', { accountId });
  }

  /**
   * Stops taking jobs and waits up to `graceMs` for the running ones; after that they are abandoned
   * (BullMQ's force close). Nothing is lost either way: every batch is written in one transaction,
   * and the next start re-derives unfinished work from the store.
   *
   * BullMQ's `close()` cannot be turned into a forced one once it has begun (a second call returns the
   * first promise), so the grace period is kept here: pause without waiting, wait for our own running
   * jobs up to `graceMs`, then close with force.
   */
  close(graceMs = Infinity): Promise<void> {
    this.closing ??= this.doClose(graceMs);
    return this.closing;
  }

  private async doClose(graceMs: number): Promise<void> {
    if (graceMs === Infinity) return void (await Promise.all(this.workers.map((w) => w.close())));
    await Promise.all(this.workers.map((w) => w.pause(true)));
    if (this.running > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, graceMs);
        this.onIdle = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.onIdle = null;
    }
    await Promise.all(this.workers.map((w) => w.close(true)));
  }
}
