// Issue 11: Redis outages during `sync --wait` are told in one line each, never as stack traces. A real
// redis-server (the one the CLI spawns) is frozen (SIGSTOP) for 13 s, then let go, then killed (kill -9) mid-sync:
// stderr says "Redis is not answering (10 s)…", "Redis answers again", "Redis stopped — restarting", "Redis
// answers again" and nothing else; the progress line says Redis is not answering while it is frozen; the sync ends.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect } from 'vitest';
import { spawnCliSource, type RunningCli } from '../helpers/cli-source';
import { mirrorTest } from '../helpers/fixtures';
import { storeFileOf, withRawSqlite } from '../helpers/raw-sqlite';

const it = mirrorTest({ cli: 'source', tempPrefix: 'mm-outage-' });

let dir: string;
let run: RunningCli | undefined;
let stopped: number | undefined;

// After each test, before its data folder is removed: nothing of it may still run there.
afterEach(async () => {
  if (stopped) {
    try {
      process.kill(stopped, 'SIGCONT');
    } catch {
      /* gone */
    }
  }
  if (run && run.proc.exitCode === null) {
    run.proc.kill('SIGKILL');
    await run.result;
  }
});

function redisPid(): number {
  return (JSON.parse(readFileSync(join(dir, 'redis', 'supervisor.json'), 'utf8')) as { pid: number }).pid;
}

/** Messages with details in the store / all stored (read-only, beside the running sync). */
function fetched(): number {
  try {
    return withRawSqlite(storeFileOf(dir), (db) =>
      (db.prepare('SELECT coalesce(sum(details_fetched), 0) AS n FROM messages').get() as { n: number }).n, { busyTimeoutMs: 2000 });
  } catch {
    return 0;
  }
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (run && run.proc.exitCode !== null) throw new Error(`sync --wait ended while waiting for ${what}: ${run.stderr()}`);
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; stderr: ${run?.stderr()}`);
    await sleep(50);
  }
}

describe('Redis outages during sync --wait', () => {
  it('frozen, then killed: one line each, the progress says so, the sync ends', { timeout: 90_000 }, async ({ emu, connectAccount }) => {
    const n = 900;
    const connected = await connectAccount('outage@example.com', { messages: n, seed: 8 });
    const env = connected.env;
    dir = connected.dir;
    // Slow enough that both faults land inside the initial sync.
    emu.setLatency({ min: 40, max: 60 });
    run = spawnCliSource(['sync', '--wait'], env);
    const t0 = Date.now();

    // 1: frozen for 13 s.
    await until(() => fetched() >= 0.08 * n, 30_000, 'the fetching to start');
    const frozen = redisPid();
    process.kill(frozen, 'SIGSTOP');
    stopped = frozen;
    await until(() => /Redis is not answering/.test(run!.stderr()), 14_000, 'the frozen Redis to be told');
    await sleep(2_500);
    process.kill(frozen, 'SIGCONT');
    stopped = undefined;
    await until(() => /Redis answers again/.test(run!.stderr()), 10_000, 'Redis to answer again');
    expect(fetched(), 'the sync ended before the second fault: make the mailbox bigger').toBeLessThan(0.8 * n);

    // 2: killed; the supervisor starts another.
    process.kill(frozen, 'SIGKILL');
    await until(() => (run!.stderr().match(/Redis answers again/g) ?? []).length === 2, 15_000, 'Redis to be back after kill -9');
    emu.setLatency({ min: 0, max: 0 });

    const r = await run.result;
    console.log(`sync --wait with a frozen and a killed Redis: ${Date.now() - t0} ms\n${r.stderr}`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.stderr).not.toMatch(/ECONNREFUSED|errno|syscall/);
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^mailmirror: Redis is not answering \(1\d s\)…$/),
      'mailmirror: Redis answers again',
      'mailmirror: Redis stopped — restarting',
      'mailmirror: Redis answers again',
    ]);
    // The progress line itself said it while Redis was frozen (plain lines: stdout is not a terminal).
    expect(r.stdout).toMatch(/^outage@example\.com: \w+ [\d,]+\/[\d,]+ .*— Redis is not answering \(\d+ s\)…$/m);
    expect(r.stdout).toContain(`outage@example.com: synced ${n} messages`);
  });
});
