// Issue 11: the redis-server a Mailmirror process spawns ends with that process, however it ends. `kill -9` of the
// owner (a `mailmirror worker`, which spawns and supervises its data folder's redis-server) leaves no redis-server
// behind for more than 2 s, and no watchdog either; a normal stop leaves nothing; the next start in the folder works.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnCliSource, type RunningCli } from '../helpers/cli-source';

const dirs: string[] = [];
const running: RunningCli[] = [];
afterAll(async () => {
  for (const r of running) if (r.proc.exitCode === null && r.proc.signalCode === null) r.proc.kill('SIGKILL');
  for (const d of dirs) {
    for (const pid of redisPidsUnder(d)) process.kill(pid, 'SIGKILL');
    rmSync(d, { recursive: true, force: true });
  }
});

/**
 * Whether the process still runs. A zombie does not: it has ended and waits for its new parent (init) to reap it,
 * which some inits do only every second or so.
 */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return existsSync('/proc/self/status') ? false : true;
  }
}

/** Every process whose command line holds `mark` (Linux: /proc). */
function pidsWith(mark: string): number[] {
  if (!existsSync('/proc/self/cmdline')) return [];
  const pids: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(mark)) pids.push(Number(p));
    } catch {
      /* gone */
    }
  }
  return pids;
}

/** redis-servers of a data folder: its supervisor.json, and (Linux) any process started on its folder. */
function redisPidsUnder(dataDir: string): number[] {
  const found = new Set(pidsWith(join(dataDir, 'redis')).filter((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('redis-server')));
  try {
    const state = JSON.parse(readFileSync(join(dataDir, 'redis', 'supervisor.json'), 'utf8')) as { pid?: number };
    if (state.pid && alive(state.pid)) found.add(state.pid);
  } catch {
    /* none */
  }
  return [...found].filter(alive);
}

async function startWorker(dataDir: string): Promise<{ run: RunningCli; redisPid: number }> {
  const run = spawnCliSource(['worker'], { MAILMIRROR_DATA_DIR: dataDir });
  running.push(run);
  const until = Date.now() + 60_000;
  while (!/mailmirror worker running/.test(run.stdout())) {
    if (run.proc.exitCode !== null) throw new Error(`worker exited: ${run.stderr()}`);
    if (Date.now() > until) throw new Error(`worker did not start: ${run.stdout()} ${run.stderr()}`);
    await sleep(50);
  }
  const pids = redisPidsUnder(dataDir);
  expect(pids).toHaveLength(1);
  return { run, redisPid: pids[0] };
}

async function goneWithin(pids: number[], ms: number): Promise<number> {
  const t0 = Date.now();
  while (pids.some(alive)) {
    if (Date.now() - t0 > ms) throw new Error(`still alive after ${ms} ms: ${pids.filter(alive).join(', ')}`);
    await sleep(20);
  }
  return Date.now() - t0;
}

describe('the embedded redis-server ends with its owner', () => {
  it('kill -9 of the owner: redis-server (and its watchdog) gone within 2 s; the next start works', { timeout: 120_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mm-owner-'));
    dirs.push(dataDir);
    for (let round = 0; round < 2; round++) {
      const { run, redisPid } = await startWorker(dataDir);
      const watchdogs = pidsWith('mailmirror-redis-watchdog').filter((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(String(redisPid)));
      if (process.platform === 'linux') expect(watchdogs).toHaveLength(1);
      const exited = run.result;
      run.proc.kill('SIGKILL');
      await exited;
      const ms = await goneWithin([redisPid], 2_000);
      console.log(`round ${round}: redis-server ${redisPid} gone ${ms} ms after kill -9 of its owner`);
      await goneWithin(watchdogs, 2_000);
      expect(redisPidsUnder(dataDir)).toEqual([]);
    }
  });

  it('a normal stop leaves neither redis-server nor watchdog behind', { timeout: 120_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mm-owner-'));
    dirs.push(dataDir);
    const { run, redisPid } = await startWorker(dataDir);
    const watchdogs = pidsWith('mailmirror-redis-watchdog').filter((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(String(redisPid)));
    run.proc.kill('SIGTERM');
    const r = await run.result;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(alive(redisPid)).toBe(false);
    await goneWithin(watchdogs, 1_000);
  });
});
