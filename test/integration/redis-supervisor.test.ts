// The Redis supervisor against a real redis-server: start, private socket, kill -9 survival with BullMQ,
// AOF persistence, clean stop, stale leftovers, long data paths.
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { Queue, Worker } from 'bullmq';
import { RedisSupervisor } from '../../src/main/redis/redis-supervisor';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

function tempDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mm-sup-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function startSupervisor(dataDir: string): Promise<RedisSupervisor> {
  const sup = await RedisSupervisor.start({ dataDir });
  cleanups.push(() => sup.stop());
  return sup;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until<T>(fn: () => T | Promise<T>, what: string, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

describe('RedisSupervisor (spawned redis-server)', () => {
  it('starts redis-server on a private unix socket that answers PING', async () => {
    const dataDir = tempDataDir();
    const sup = await startSupervisor(dataDir);
    expect(sup.mode).toBe('spawned');
    expect(sup.socketPath).toBe(join(dataDir, 'redis', 'redis.sock'));
    expect(sup.url).toBe(`unix://${join(dataDir, 'redis', 'redis.sock')}`);
    const client = sup.connection('client');
    expect(await client.ping()).toBe('PONG');
    expect(statSync(join(dataDir, 'redis')).mode & 0o777).toBe(0o700);
    expect(statSync(join(dataDir, 'redis', 'redis.sock')).mode & 0o777).toBe(0o700);
    // TCP is off, AOF on, no eviction: BullMQ's production settings.
    expect(await client.config('GET', 'port')).toEqual(['port', '0']);
    expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
    expect(await client.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
  });

  it('survives kill -9 of redis-server: restarts it and BullMQ keeps working', async () => {
    const sup = await startSupervisor(tempDataDir());
    const prefix = `t${Date.now()}`;
    const queue = new Queue('survive', { connection: sup.connection('queue'), prefix });
    const processed: string[] = [];
    const worker = new Worker('survive', async (job) => {
      processed.push(job.name);
    }, { connection: sup.connection('worker'), prefix });
    cleanups.push(async () => {
      await worker.close();
      await queue.close();
    });
    // reconnect noise while redis-server is down
    worker.on('error', () => undefined);
    queue.on('error', () => undefined);

    await queue.add('before', {});
    await until(() => processed.includes('before'), 'the first job');

    const oldPid = sup.pid;
    expect(oldPid).toBeTypeOf('number');
    const restarted = once(sup, 'restarted');
    process.kill(oldPid as number, 'SIGKILL');
    const [info] = (await restarted) as [{ pid: number; restarts: number }];
    expect(info.pid).not.toBe(oldPid);
    expect(info.restarts).toBe(1);
    expect(isAlive(oldPid as number)).toBe(false);

    await queue.add('after', {});
    await until(() => processed.includes('after'), 'a job added after the restart');
  });

  it('keeps a queued job across a stop and a new start (AOF)', async () => {
    const dataDir = tempDataDir();
    const prefix = 'aof';
    const first = await RedisSupervisor.start({ dataDir });
    const q1 = new Queue('persist', { connection: first.connection('queue'), prefix });
    const job = await q1.add('keep-me', { n: 42 });
    await q1.close();
    await first.stop();

    const second = await startSupervisor(dataDir);
    const q2 = new Queue('persist', { connection: second.connection('queue'), prefix });
    cleanups.push(() => q2.close());
    const again = await q2.getJob(job.id as string);
    expect(again?.name).toBe('keep-me');
    expect(again?.data).toEqual({ n: 42 });
  });

  it('stop() closes its connections and leaves no redis-server behind', async () => {
    const dataDir = tempDataDir();
    const sup = await RedisSupervisor.start({ dataDir });
    const pid = sup.pid as number;
    const conns = [sup.connection('client'), sup.connection('queue'), sup.connection('worker')];
    await Promise.all(conns.map((c) => c.ping()));
    const exits: boolean[] = [];
    sup.on('exit', (e) => exits.push(e.expected));
    await sup.stop();
    expect(isAlive(pid)).toBe(false);
    expect(conns.map((c) => c.status)).toEqual(['end', 'end', 'end']);
    expect(existsSync(join(dataDir, 'redis', 'redis.sock'))).toBe(false);
    expect(exits).toEqual([true]);
    await sup.stop(); // idempotent
  });

  it('cleans up a stale socket and pid file, and a leftover redis-server, from a crashed run', async () => {
    const dataDir = tempDataDir();
    const redisDir = join(dataDir, 'redis');
    mkdirSync(redisDir, { recursive: true });
    writeFileSync(join(redisDir, 'redis.sock'), 'stale');
    writeFileSync(join(redisDir, 'redis.pid'), '999999\n');
    const first = await startSupervisor(dataDir);
    expect(await first.connection('client').ping()).toBe('PONG');
    await first.stop();

    // A crash of the app (SIGKILL) leaves its redis-server running on the socket: the next start must stop it.
    const socket = join(redisDir, 'redis.sock');
    const orphan = spawn('redis-server', ['--port', '0', '--unixsocket', socket, '--unixsocketperm', '700',
      '--dir', redisDir, '--pidfile', join(redisDir, 'redis.pid'), '--save', ''], { stdio: 'ignore', detached: true });
    const orphanPid = orphan.pid as number;
    cleanups.push(() => {
      if (isAlive(orphanPid)) process.kill(orphanPid, 'SIGKILL');
    });
    await until(() => existsSync(socket), 'the orphan to listen');
    await until(() => existsSync(join(redisDir, 'redis.pid')), 'the orphan pid file');

    const second = await startSupervisor(dataDir);
    expect(second.pid).not.toBe(orphanPid);
    await until(() => orphan.exitCode !== null || orphan.signalCode !== null, 'the leftover redis-server to stop', 10_000);
    expect(await second.connection('client').ping()).toBe('PONG');
  });

  it('shares the redis-server another live Mailmirror process runs for the same data folder', async () => {
    const dataDir = tempDataDir();
    const redisDir = join(dataDir, 'redis');
    mkdirSync(redisDir, { recursive: true, mode: 0o700 });
    const socket = join(redisDir, 'redis.sock');
    const other = spawn('redis-server', ['--port', '0', '--unixsocket', socket, '--unixsocketperm', '700', '--dir', redisDir, '--save', ''], { stdio: 'ignore' });
    const owner = spawn('sleep', ['30'], { stdio: 'ignore' }); // stands in for the other Mailmirror process
    cleanups.push(() => {
      other.kill('SIGKILL');
      owner.kill('SIGKILL');
    });
    await until(() => existsSync(socket), 'the other redis-server');
    writeFileSync(join(redisDir, 'supervisor.json'), JSON.stringify({ pid: other.pid, socket, ownerPid: owner.pid }));

    const sup = await RedisSupervisor.start({ dataDir });
    expect(sup.mode).toBe('external');
    expect(sup.url).toBe(`unix://${socket}`);
    expect(await sup.connection('client').ping()).toBe('PONG');
    await sup.stop();
    expect(other.exitCode).toBeNull(); // not ours to stop
    expect(isAlive(other.pid as number)).toBe(true);
  });

  it('puts the socket in a private temp folder when the data path is too long for a unix socket', async () => {
    const base = tempDataDir();
    const dataDir = join(base, 'a'.repeat(60), 'b'.repeat(60));
    const sup = await startSupervisor(dataDir);
    const socket = sup.socketPath as string;
    expect(socket.startsWith(dataDir)).toBe(false);
    expect(Buffer.byteLength(socket)).toBeLessThanOrEqual(100);
    expect(statSync(join(socket, '..')).mode & 0o777).toBe(0o700);
    expect(await sup.connection('client').ping()).toBe('PONG');
    // The data still lives in the data folder.
    expect(existsSync(join(dataDir, 'redis'))).toBe(true);
    await sup.stop();
    expect(existsSync(join(socket, '..'))).toBe(false);
  });
});
