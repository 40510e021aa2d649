// The core's Redis side, started before the core is built (AppCore.create).
import type { AppConfig } from './config';
import { RedisSupervisor, isRedisConnectionError } from './redis';
import { QuotaGovernor } from './gmail/quota-governor';
import { SyncQueues } from './queues/sync-queues';
import { errorText, type Logger } from './log';
import type { SecretBox } from './gmail/secret-box';
import type { CoreEvents } from './core-events';

export type AppCoreOptions = {
  /** Run BullMQ workers in this process (the app, `serve`, `sync --wait`, `worker`). */
  runWorkers: boolean;
  /** Electron passes its safeStorage box; headless uses a key file in the data folder. */
  secretBox?: SecretBox;
  logger?: Logger;
  /**
   * Start even when the store is damaged, in the damaged state (no workers, nothing written, every account's
   * status says so), so the app can offer the rebuild. Without it a damaged store throws DatabaseDamagedError.
   */
  openDamaged?: boolean;
  /**
   * The demo mailbox (the built-in emulator): how its consent page is answered. With it the core offers
   * connectDemo(); without it, it does not.
   */
  demo?: { consent: (url: string) => void };
  /** The event bus the core announces changes on (a host may bring its own; by default the core makes one). */
  events?: CoreEvents;
};

/**
 * Redis (embedded, or REDIS_URL's), the queues over it, and the quota governor sharing it. `transient`: this process
 * only enqueues and exits, so its redis-server must not be shared.
 */
export async function startQueueSide(config: AppConfig, opts: { transient: boolean; log: Logger }) {
  const { log } = opts;
  const redis = await RedisSupervisor.start({
    dataDir: config.dataDir,
    redisUrl: config.redisUrl,
    transient: opts.transient,
    logger: (msg: string) => log.info({ component: 'redis' }, msg),
  });
  // A long-lived process tells Redis outages in one line each (the health monitor), not per connection.
  if (!opts.transient) redis.watchHealth();
  const queues = new SyncQueues(redis.connection('queue'), config.queuePrefix, (e, queue) => {
    if (!isRedisConnectionError(e)) log.warn({ component: 'queues', queue, err: errorText(e) }, 'queue error');
  });
  const governor = new QuotaGovernor(redis.connection('client'), {
    profile: config.quotaProfile,
    scale: config.quotaScale,
    maxInFlight: config.maxInFlight,
    keyPrefix: `${config.queuePrefix}:quota`,
  });
  return { redis, queues, governor };
}
