// ioredis options from a REDIS_URL, and the per-role options BullMQ's docs ask for.
import type { RedisOptions } from 'ioredis';
import { RedisUrlError } from './errors';

export type ConnectionRole = 'queue' | 'worker' | 'client';

/**
 * Accepts redis://[user:password@]host[:port][/db], rediss://… (TLS), unix:///path/to/socket[?db=N&password=…]
 * and a bare absolute socket path.
 */
export function redisOptionsFromUrl(url: string): RedisOptions {
  const raw = url.trim();
  if (raw.startsWith('/')) return { path: raw };
  if (/^unix:\/\//i.test(raw)) {
    const rest = raw.slice('unix://'.length);
    const q = rest.indexOf('?');
    const path = decodeURIComponent(q >= 0 ? rest.slice(0, q) : rest);
    if (!path.startsWith('/')) throw new RedisUrlError(`unix socket URL must hold an absolute path (unix:///path/redis.sock), got "${url}"`);
    const opts: RedisOptions = { path };
    const params = new URLSearchParams(q >= 0 ? rest.slice(q + 1) : '');
    const db = params.get('db');
    if (db !== null) opts.db = dbNumber(db, url);
    const password = params.get('password');
    if (password !== null) opts.password = password;
    return opts;
  }
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new RedisUrlError(`not a Redis URL: "${redactRedisUrl(url)}"`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new RedisUrlError(`Redis URL must start with redis://, rediss:// or unix://, got "${redactRedisUrl(url)}"`);
  }
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1';
  const opts: RedisOptions = { host, port: u.port ? Number(u.port) : 6379 };
  if (u.username) opts.username = decodeURIComponent(u.username);
  if (u.password) opts.password = decodeURIComponent(u.password);
  const dbPath = u.pathname.replace(/^\//, '');
  const db = dbPath || u.searchParams.get('db');
  if (db) opts.db = dbNumber(db, url);
  if (u.protocol === 'rediss:') opts.tls = { servername: host };
  return opts;
}

function dbNumber(v: string, url: string): number {
  if (!/^\d+$/.test(v)) throw new RedisUrlError(`Redis database must be a number, got "${v}" in "${redactRedisUrl(url)}"`);
  return Number(v);
}

/** The URL without its password, for messages and logs. */
export function redactRedisUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@/]*@/, '$1***@').replace(/([?&]password=)[^&]*/i, '$1***');
}

/** Where the options point, for messages (never the password). */
export function describeRedisOptions(o: RedisOptions): string {
  return o.path ? `unix://${o.path}` : `${o.tls ? 'rediss' : 'redis'}://${o.host ?? '127.0.0.1'}:${o.port ?? 6379}`;
}

// Reconnect quickly (the supervisor restarts a dead redis-server within about a second) but never stop trying:
// ioredis gives up on a connection for good when this returns a non-number.
const reconnectDelay = (times: number): number => Math.min(times * 100, 1000);

/**
 * Options per role, following https://docs.bullmq.io/guide/connections and …/going-to-production:
 * - worker: `maxRetriesPerRequest: null`, required for the blocking commands a Worker waits in (BullMQ throws
 *   otherwise), so a worker just waits out a Redis restart.
 * - queue / client: commands wait in ioredis' offline queue while it reconnects (so a job added during the
 *   supervisor's restart of redis-server is not lost) but fail after 10 reconnect attempts, about 5.5 s, so a dead
 *   Redis is reported instead of hanging the caller. `enableOfflineQueue: false` (BullMQ's "failing fast" pattern)
 *   would turn every restart into failed enqueues, which is worse for a local, supervised Redis.
 */
export function roleOptions(role: ConnectionRole): RedisOptions {
  const common: RedisOptions = {
    retryStrategy: reconnectDelay,
    connectTimeout: 5_000,
    connectionName: `mailmirror-${role}`,
    enableOfflineQueue: true,
  };
  if (role === 'worker') return { ...common, maxRetriesPerRequest: null };
  return { ...common, maxRetriesPerRequest: 10 };
}
