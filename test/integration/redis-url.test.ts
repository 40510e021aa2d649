// REDIS_URL mode, URL parsing, and the clear errors a user sees when Redis is missing, too old or unreachable.
import { chmodSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisSupervisor } from '../../src/main/redis/redis-supervisor';
import { redactRedisUrl, redisOptionsFromUrl } from '../../src/main/redis/redis-options';
import { RedisNotFoundError, RedisStartError, RedisTooOldError, RedisUnreachableError, RedisUrlError } from '../../src/main/redis/errors';
import { startTestRedis, type TestRedis } from '../helpers/redis';

let redis: TestRedis;
let scratch: string;
beforeAll(async () => {
  redis = await startTestRedis();
  scratch = mkdtempSync(join(tmpdir(), 'mm-redis-url-'));
});
afterAll(async () => {
  await redis.stop();
  rmSync(scratch, { recursive: true, force: true });
});

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

describe('redisOptionsFromUrl', () => {
  it('reads redis://, rediss://, unix:// and bare socket paths', () => {
    expect(redisOptionsFromUrl('redis://localhost:6380/2')).toEqual({ host: 'localhost', port: 6380, db: 2 });
    expect(redisOptionsFromUrl('redis://user:p%40ss@10.0.0.5')).toEqual({ host: '10.0.0.5', port: 6379, username: 'user', password: 'p@ss' });
    expect(redisOptionsFromUrl('redis://:secret@[::1]:7000')).toEqual({ host: '::1', port: 7000, password: 'secret' });
    expect(redisOptionsFromUrl('rediss://cache.example.com:6390')).toEqual({
      host: 'cache.example.com', port: 6390, tls: { servername: 'cache.example.com' },
    });
    expect(redisOptionsFromUrl('unix:///var/run/redis/redis.sock')).toEqual({ path: '/var/run/redis/redis.sock' });
    expect(redisOptionsFromUrl('unix:///tmp/r.sock?db=3&password=pw')).toEqual({ path: '/tmp/r.sock', db: 3, password: 'pw' });
    expect(redisOptionsFromUrl('/tmp/with space/redis.sock')).toEqual({ path: '/tmp/with space/redis.sock' });
  });

  it('rejects what is not a Redis URL, without echoing a password', () => {
    expect(() => redisOptionsFromUrl('http://localhost:6379')).toThrow(RedisUrlError);
    expect(() => redisOptionsFromUrl('unix://relative.sock')).toThrow(RedisUrlError);
    expect(() => redisOptionsFromUrl('redis://:hunter2@host/notanumber')).toThrow(/\*\*\*/);
    expect(() => redisOptionsFromUrl('redis://:hunter2@host/notanumber')).not.toThrow(/hunter2/);
    expect(redactRedisUrl('redis://u:hunter2@host:1/0')).toBe('redis://u:***@host:1/0');
  });
});

describe('RedisSupervisor with REDIS_URL', () => {
  it('only connects: PING works, and stop() leaves that Redis running', async () => {
    const sup = await RedisSupervisor.start({ dataDir: scratch, redisUrl: redis.url });
    expect(sup.mode).toBe('external');
    expect(sup.pid).toBeUndefined();
    const c = sup.connection('client');
    expect(await c.ping()).toBe('PONG');
    await sup.stop();
    expect(c.status).toBe('end');
    expect(redis.proc.exitCode).toBeNull();
    // no redis folder of its own in the data folder
    expect(existsSync(join(scratch, 'redis'))).toBe(false);
  });

  it('accepts the bare socket path too', async () => {
    const sup = await RedisSupervisor.start({ dataDir: scratch, redisUrl: redis.socket });
    cleanups.push(() => sup.stop());
    expect(await sup.connection('worker').ping()).toBe('PONG');
  });

  it('reports an unreachable REDIS_URL clearly', async () => {
    const err = await RedisSupervisor.start({ dataDir: scratch, redisUrl: `unix://${join(scratch, 'nothing.sock')}` }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RedisUnreachableError);
    expect((err as RedisUnreachableError).code).toBe('REDIS_UNREACHABLE');
    expect((err as Error).message).toContain('nothing.sock');

    const tcp = await RedisSupervisor.start({ dataDir: scratch, redisUrl: 'redis://:topsecret@127.0.0.1:1' }).catch((e: unknown) => e);
    expect(tcp).toBeInstanceOf(RedisUnreachableError);
    expect((tcp as Error).message).not.toContain('topsecret');
  });
});

describe('RedisSupervisor without a usable redis-server', () => {
  it('says how to install one when no binary is found', async () => {
    const savedPath = process.env.PATH;
    const savedEnv = process.env.MAILMIRROR_REDIS_SERVER;
    process.env.PATH = join(scratch, 'empty-bin');
    delete process.env.MAILMIRROR_REDIS_SERVER;
    let err: unknown;
    try {
      err = await RedisSupervisor.start({ dataDir: scratch, binaryCandidates: [join(scratch, 'nope', 'redis-server')] }).catch((e: unknown) => e);
    } finally {
      process.env.PATH = savedPath;
      if (savedEnv !== undefined) process.env.MAILMIRROR_REDIS_SERVER = savedEnv;
    }
    expect(err).toBeInstanceOf(RedisNotFoundError);
    expect((err as RedisNotFoundError).code).toBe('REDIS_NOT_FOUND');
    expect((err as Error).message).toContain('apt-get install redis-server');
    expect((err as Error).message).toContain('brew install redis');
    expect((err as Error).message).toContain('REDIS_URL');
  });

  it('reports a redis-server that exits during start with its own last words', async () => {
    const fake = join(scratch, 'broken-redis-server');
    writeFileSync(fake, '#!/bin/sh\nif [ "$1" = "--version" ]; then echo "Redis server v=7.2.4 sha=0"; exit 0; fi\n' +
      'echo "# Fatal error, can\'t open config file"; exit 1\n');
    chmodSync(fake, 0o755);
    const err = await RedisSupervisor.start({ dataDir: join(scratch, 'broken'), binaryCandidates: [fake] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RedisStartError);
    expect((err as RedisStartError).code).toBe('REDIS_START_FAILED');
    expect((err as Error).message).toContain("can't open config file");
  });

  it('refuses a redis-server older than BullMQ needs', async () => {
    const fake = join(scratch, 'old-redis-server');
    writeFileSync(fake, '#!/bin/sh\necho "Redis server v=4.0.9 sha=00000000:0 malloc=jemalloc-4.0.3 bits=64 build=1"\n');
    chmodSync(fake, 0o755);
    const err = await RedisSupervisor.start({ dataDir: join(scratch, 'old'), binaryCandidates: [fake] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RedisTooOldError);
    expect((err as RedisTooOldError).code).toBe('REDIS_TOO_OLD');
    expect((err as Error).message).toContain('4.0.9');
  });
});
