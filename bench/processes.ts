// The processes a bench run starts (the CLI, the emulator), what /proc says about them, and stopping them all.
import { readFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { liveClis, spawnCli, type CliEnv } from '../test/helpers/cli';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** CPU seconds (user + system) and peak RSS of a live process, from /proc (Linux). */
export function procSample(pid: number | undefined): { cpuS: number; hwmKb: number } | null {
  if (!pid) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
    return { cpuS: (Number(stat[11]) + Number(stat[12])) / 100, hwmKb: hwm ? Number(hwm[1]) : 0 };
  } catch {
    return null;
  }
}

const others = new Set<ChildProcess>();

/** Tracks a process started here other than the CLI (whose runs test/helpers/cli.ts tracks), for the last clean-up. */
export function track(p: ChildProcess): ChildProcess {
  others.add(p);
  p.once('exit', () => others.delete(p));
  return p;
}

/** Every process the bench started that is still running. */
export function children(): ChildProcess[] {
  return [...others, ...liveClis()];
}

export async function stopProc(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise<void>((r) => p.once('exit', () => r()));
  p.kill('SIGTERM');
  const t = setTimeout(() => p.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(t);
}

export type TimedResult = { code: number | null; wallMs: number; stdout: string; stderr: string; cpuS: number; hwmMb: number };

export type TimedRun = {
  proc: ChildProcess;
  startedAt: number;
  /** Resolves when the process has exited, with what it printed and what /proc said about it while alive. */
  done: Promise<TimedResult>;
};

/** A CLI command (test/helpers/cli.ts spawnCli) timed from spawn to exit, its CPU and peak RSS sampled from /proc. */
export function timedCli(args: string[], env: CliEnv, nodeArgs: string[] = []): TimedRun {
  const startedAt = performance.now();
  const run = spawnCli(args, env, { nodeArgs });
  // The largest values seen: an exiting process (a zombie) still has CPU times but no memory lines any more.
  const last = { cpuS: 0, hwmKb: 0 };
  const poll = setInterval(() => {
    const s = procSample(run.proc.pid);
    if (!s) return;
    last.cpuS = Math.max(last.cpuS, s.cpuS);
    last.hwmKb = Math.max(last.hwmKb, s.hwmKb);
  }, 100);
  const exited = new Promise<number>((res) => {
    run.proc.once('exit', () => {
      clearInterval(poll);
      res(performance.now() - startedAt);
    });
  });
  const done = Promise.all([exited, run.result]).then(([wallMs, r]) => ({
    code: r.code, wallMs, stdout: r.stdout.slice(-20_000), stderr: r.stderr.slice(-20_000), cpuS: last.cpuS, hwmMb: last.hwmKb / 1024,
  }));
  return { proc: run.proc, startedAt, done };
}

/** `sync --wait`, timed; it must exit 0. */
export async function timedSyncWait(env: CliEnv): Promise<TimedResult> {
  // MAILMIRROR_BENCH_SYNC_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) profiles the sync process alone.
  const nodeArgs = (process.env.MAILMIRROR_BENCH_SYNC_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const r = await timedCli(['sync', '--wait'], env, nodeArgs).done;
  if (r.code !== 0) throw new Error(`sync --wait exited ${r.code}: ${r.stderr}\n${r.stdout.slice(-2000)}`);
  return r;
}
