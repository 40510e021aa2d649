// REDIS_URL: reach it, and check that it is a Redis BullMQ can use (version 5 or newer; noeviction, or a warning).
import type { Redis, RedisOptions } from 'ioredis';
import { RedisUnreachableError } from './errors';
import { assertRedisVersion } from './find-redis-server';
import { notRedisReason } from './not-redis';
import { redactRedisUrl, redisOptionsFromUrl } from './redis-options';
import { probe } from './redis-probe';

/** The connection options for `redisUrl`, and how to name it in messages (password redacted). */
export async function checkExternalRedis(redisUrl: string, logger?: (msg: string) => void): Promise<{ options: RedisOptions; where: string }> {
  const options = redisOptionsFromUrl(redisUrl);
  const where = redactRedisUrl(redisUrl);
  let c: Redis | undefined;
  let info: string;
  try {
    c = await probe(options, 5_000);
    const pong = await c.ping();
    if (pong !== 'PONG') throw new Error(`PING answered ${pong}`);
    info = await c.info('server');
  } catch (e) {
    c?.disconnect();
    throw new RedisUnreachableError(where, e, await notRedisReason(options));
  }
  try {
    assertRedisVersion(info.match(/redis_version:([\d.]+)/)?.[1], `the Redis at ${where}`);
    const policy = await c.config('GET', 'maxmemory-policy').catch(() => undefined);
    if (Array.isArray(policy) && policy[1] !== undefined && policy[1] !== 'noeviction') {
      logger?.(`warning: the Redis at ${where} has maxmemory-policy ${String(policy[1])}; BullMQ needs noeviction`);
    }
  } finally {
    c.disconnect();
  }
  return { options, where };
}
