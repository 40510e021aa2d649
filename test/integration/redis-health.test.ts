// The Redis health monitor against a real redis-server: frozen (SIGSTOP) is "not answering" after the set time,
// let go (SIGCONT) answers again, killed is "cannot be reached", one change event each.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisHealth, describeRedisHealth, redisHealthChangeLine, type RedisHealthState } from '../../src/main/redis/redis-health';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()?.();
});

async function redisServer(): Promise<{ proc: ChildProcess; socket: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'mm-health-'));
  const socket = join(dir, 'redis.sock');
  const proc = spawn('redis-server', ['--port', '0', '--unixsocket', socket, '--unixsocketperm', '700', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  cleanups.push(() => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGCONT');
      proc.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  });
  for (let i = 0; i < 200 && !existsSync(socket); i++) await sleep(25);
  return { proc, socket };
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('RedisHealth', () => {
  it('tells a frozen Redis, its return, and a dead one, once each', { timeout: 30_000 }, async () => {
    const { proc, socket } = await redisServer();
    const health = new RedisHealth({ path: socket }, { intervalMs: 100, silentAfterMs: 1_000 }).start();
    cleanups.push(() => health.stop());
    const lines: string[] = [];
    health.on('change', (state, prev) => lines.push(redisHealthChangeLine(state, prev) ?? '(none)'));
    await sleep(400);
    expect(health.state).toEqual({ kind: 'ok' });
    expect(health.describe()).toBeNull();

    proc.kill('SIGSTOP');
    const frozenAt = Date.now();
    await until(() => health.state.kind === 'silent', 3_000, 'silent');
    expect(Date.now() - frozenAt).toBeGreaterThanOrEqual(900);
    expect(health.describe()).toMatch(/^Redis is not answering \(1 s\)…$/);
    await sleep(1_100);
    expect(health.describe()).toMatch(/^Redis is not answering \(2 s\)…$/);
    proc.kill('SIGCONT');
    await until(() => health.state.kind === 'ok', 3_000, 'ok again');

    proc.kill('SIGKILL');
    await until(() => health.state.kind === 'down', 3_000, 'down');
    expect(health.describe()).toMatch(/^Redis cannot be reached \((ECONNREFUSED|ENOENT|connection lost)\) — retrying$/);
    // Down for a while: still one line.
    await sleep(500);
    expect(lines).toEqual(['Redis is not answering (1 s)…', 'Redis answers again', health.describe()]);
  });

  it('says a supervised restart in words of its own, and nothing for an outage younger than asked', () => {
    const down: RedisHealthState = { kind: 'down', since: 1_000, reason: 'stopped', restarting: true };
    expect(describeRedisHealth(down, 1_500)).toBe('Redis stopped — restarting');
    expect(redisHealthChangeLine({ kind: 'ok' }, down)).toBe('Redis answers again');
    expect(redisHealthChangeLine({ kind: 'ok' }, { kind: 'ok' })).toBeNull();
    expect(describeRedisHealth({ kind: 'silent', since: 0 }, 12_345)).toBe('Redis is not answering (12 s)…');
    const h = new RedisHealth({ path: '/nonexistent' });
    expect(h.describe(Date.now(), 2_000)).toBeNull();
  });
});
