// One throwaway ioredis connection, for the supervisor's checks (is anything there, PING, SHUTDOWN), and closing a
// connection within bounds.
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis, type RedisOptions } from 'ioredis';

/** One throwaway connection that never retries: for probing, PING and SHUTDOWN. */
export async function probe(options: RedisOptions, timeoutMs: number): Promise<Redis> {
  const c = new Redis({
    ...options,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    connectionName: 'mailmirror-supervisor',
  });
  c.on('error', () => {
    // reported by the awaited command instead
  });
  try {
    await c.connect();
    return c;
  } catch (e) {
    c.disconnect();
    throw e;
  }
}

/** Closes a connection, waiting for its pending replies at most a few seconds. */
export async function closeConnection(c: Redis): Promise<void> {
  if (c.status === 'end') return;
  // quit() waits for pending replies; a connection stuck reconnecting would wait forever, so bound it.
  const ended = new Promise<void>((resolve) => c.once('end', () => resolve()));
  await Promise.race([c.quit().catch(() => undefined), sleep(2_000)]);
  c.disconnect();
  const hasEnded = (): boolean => c.status === 'end';
  if (!hasEnded()) await Promise.race([ended, sleep(1_000)]);
}
