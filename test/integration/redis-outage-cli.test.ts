// Issue 11: Redis outages during `sync --wait` are told in one line each, never as stack traces. A real
// redis-server (the one the CLI spawns) is frozen (SIGSTOP) for 13 s, then let go, then killed (kill -9) mid-sync:
// stderr says "Redis is not answering (10 s)…", "Redis answers again", "Redis stopped — restarting", "Redis
// answers again" and nothing else; the progress line says Redis is not answering while it is frozen; the sync ends.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator';
import { addAccountSource, spawnCliSource, type RunningCli } from '../helpers/cli-source';
import { emulatorEnv } from '../helpers/cli';
import { storeFileOf, withRawSqlite } from '../helpers/raw-sqlite';

let emu: Emulator;
let dir: string;
let run: RunningCli | undefined;
let stopped: number | undefined;

beforeAll(async () => {
  emu = await startEmulator({});
  dir = mkdtempSync(join(tmpdir(), 'mm-outage-'));
});

afterAll(async () => {
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
  await emu?.close();
  rmSync(dir, { recursive: true, force: true });
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
  it('frozen, then killed: one line each, the progress says so, the sync ends', { timeout: 90_000 }, async () => {
    const n = 900;
    emu.addAccount('outage@example.com', { messages: n, seed: 8 });
    const env = emulatorEnv(emu, dir);
    const added = await addAccountSource(env);
    expect(added.code, added.stderr).toBe(0);
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
