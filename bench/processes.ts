// The processes a bench run starts (the CLI, the emulator), what /proc says about them, and stopping them all.
import { readdirSync, readFileSync } from 'node:fs';
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

/** The process and its descendants (Linux: /proc/<pid>/task/<tid>/children), the process first. */
export function processTree(pid: number): number[] {
  const out: number[] = [];
  // [] when the process (or thread) has exited meanwhile.
  const read = (fn: () => string[]): string[] => {
    try {
      return fn();
    } catch {
      return [];
    }
  };
  const visit = (p: number): void => {
    out.push(p);
    for (const t of read(() => readdirSync(`/proc/${p}/task`))) {
      const kids = read(() => readFileSync(`/proc/${p}/task/${t}/children`, 'utf8').split(' ').filter(Boolean));
      for (const k of kids) visit(Number(k));
    }
  };
  visit(pid);
  return out;
}

/** Resident memory now (VmRSS, kB) of each process of the tree, by pid, with its name. */
function treeRss(pid: number): { pid: number; name: string; rssKb: number }[] {
  return processTree(pid).flatMap((p) => {
    try {
      const status = readFileSync(`/proc/${p}/status`, 'utf8');
      return [{ pid: p, name: /^Name:\s+(\S+)/m.exec(status)?.[1] ?? '?', rssKb: Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) }];
    } catch {
      return [];
    }
  });
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

export type TimedResult = {
  code: number | null; wallMs: number; stdout: string; stderr: string; cpuS: number; hwmMb: number;
  /** Peak of the summed resident memory of the process and its children (the embedded redis-server), sampled. */
  treeRssMb: number;
  /** Peak resident memory of each child process seen, by name (e.g. redis-server), sampled. */
  childRssMb: Record<string, number>;
  /** CPU seconds of each child process seen, by name, at its last sample (up to 500 ms short of its end). */
  childCpuS: Record<string, number>;
};

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
  const last = { cpuS: 0, hwmKb: 0, treeKb: 0, children: {} as Record<string, number>, childCpu: {} as Record<string, number> };
  let ticks = 0;
  const poll = setInterval(() => {
    const s = procSample(run.proc.pid);
    if (!s) return;
    last.cpuS = Math.max(last.cpuS, s.cpuS);
    last.hwmKb = Math.max(last.hwmKb, s.hwmKb);
    // The tree every 500 ms (a walk of /proc is dearer than one status file).
    if (ticks++ % 5 !== 0 || !run.proc.pid) return;
    const tree = treeRss(run.proc.pid);
    last.treeKb = Math.max(last.treeKb, tree.reduce((n, p) => n + p.rssKb, 0));
    for (const p of tree.slice(1)) {
      last.children[p.name] = Math.max(last.children[p.name] ?? 0, p.rssKb);
      last.childCpu[p.name] = Math.max(last.childCpu[p.name] ?? 0, procSample(p.pid)?.cpuS ?? 0);
    }
  }, 100);
  const exited = new Promise<number>((res) => {
    run.proc.once('exit', () => {
      clearInterval(poll);
      res(performance.now() - startedAt);
    });
  });
  const done = Promise.all([exited, run.result]).then(([wallMs, r]) => ({
    code: r.code, wallMs, stdout: r.stdout.slice(-20_000), stderr: r.stderr.slice(-20_000), cpuS: last.cpuS, hwmMb: last.hwmKb / 1024,
    treeRssMb: Math.max(last.treeKb, last.hwmKb) / 1024,
    childRssMb: Object.fromEntries(Object.entries(last.children).map(([k, v]) => [k, v / 1024])),
    childCpuS: last.childCpu,
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
