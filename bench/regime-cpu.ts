// CPU-bound: quota off, no latency; the sync end to end against the bare loop, and at 100k messages (linear
// time, bounded memory).
import { rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { emulatorEnv } from '../test/helpers/cli';
import { bareLoop } from './bare-loop';
import { connect, mirrorExact, startEmulatorProcess, type Emu } from './emulator-process';
import { procSample, stopProc, timedSyncWait } from './processes';
import { BENCH_EMAIL, tmp, type Options, type Results } from './regime';
import { fmt, log } from './report';
import { fetchedMessageCount, lastFullRun } from './store-reads';

type CpuRun = {
  messages: number;
  wallSeconds: number;
  runSeconds: number;
  endToEndRate: number;
  runRate: number;
  hwmMb: number;
  syncCpuS: number;
  /** The sync's embedded redis-server (its own process). */
  redisCpuS: number;
  emulatorCpuS: number;
  exact: boolean;
};

/** One quota-off, no-latency sync of `email`, timed end to end (process start to exit) and by the store's run. */
async function cpuSync(emu: Emu, email: string, dirs: string[], checkExact: boolean): Promise<CpuRun> {
  const dir = tmp('mm-bench-cpu-', dirs);
  const env = emulatorEnv(emu, dir);
  await connect(emu, env, email);
  const emuCpu0 = procSample(emu.proc.pid)?.cpuS ?? NaN;
  const r = await timedSyncWait(env);
  const emuCpu1 = procSample(emu.proc.pid)?.cpuS ?? NaN;
  const run = lastFullRun(dir);
  const messages = fetchedMessageCount(dir);
  const runSeconds = (run.finishedAt - run.startedAt) / 1000;
  const exact = checkExact ? await mirrorExact(emu, env, email, dir) : true;
  rmSync(dir, { recursive: true, force: true });
  return {
    messages,
    wallSeconds: r.wallMs / 1000,
    runSeconds,
    endToEndRate: messages / (r.wallMs / 1000),
    runRate: messages / runSeconds,
    hwmMb: r.hwmMb,
    syncCpuS: r.cpuS,
    redisCpuS: Object.entries(r.childCpuS).filter(([name]) => name.startsWith('redis')).reduce((n, [, c]) => n + c, 0),
    emulatorCpuS: emuCpu1 - emuCpu0,
    exact,
  };
}

export async function cpuBound(opts: Options, dirs: string[], out: Results): Promise<void> {
  const messages = opts.quick ? 5000 : 20_000;
  log(`cpu-bound: ${messages} messages, no quota, no latency`);
  // Three mailboxes of the same shape (seeds differ): a warm-up, one for the bare loop and one for the sync, so
  // neither finds messages the emulator has already rendered.
  const emu = await startEmulatorProcess([
    '--messages', String(messages), '--seed', '41',
    '--account', 'warm@example.com', '--account', 'bare@example.com', '--account', 'single@example.com', '--account', BENCH_EMAIL,
  ]);
  try {
    await bareLoop(emu, 'warm@example.com', 8);
    const emuCpu0 = procSample(emu.proc.pid)?.cpuS ?? NaN;
    const bare = await bareLoop(emu, 'bare@example.com', 8);
    const bareEmuCpu = (procSample(emu.proc.pid)?.cpuS ?? NaN) - emuCpu0;
    const bareRate = bare.messages / bare.seconds;
    const single = await bareLoop(emu, 'single@example.com', 8, false);
    const singleRate = single.messages / single.seconds;
    const s = await cpuSync(emu, BENCH_EMAIL, dirs, true);
    const ratio = s.endToEndRate / bareRate;
    // What the machine's cores allow at the CPU this run used: the sync (with its redis-server) and the emulator
    // share them, so the sync ends no sooner than their CPU seconds spread evenly over every core, nothing else
    // running. And the CPU per message the sync may use in all for 0.8 of the bare loop, the emulator's unchanged.
    const cores = availableParallelism();
    const perMsg = (cpuS: number): number => (1000 * cpuS) / s.messages;
    const ceilingRate = (cores * s.messages) / (s.syncCpuS + s.redisCpuS + s.emulatorCpuS);
    const budgetMsPerMsg = (1000 * cores) / (0.8 * bareRate) - perMsg(s.emulatorCpuS);
    const bareClientMsPerMsg = (1000 * bare.clientCpuS) / bare.messages;
    out.data.cpu = {
      ...s, bare: { ...bare, rate: bareRate, emulatorCpuS: bareEmuCpu }, bareSingleRequests: { ...single, rate: singleRate },
      ratio, ratioRun: s.runRate / bareRate,
      cores, ceilingRate, ceilingRatio: ceilingRate / bareRate, budgetMsPerMsg, bareClientMsPerMsg,
    };
    out.rows.push({
      regime: 'CPU-bound',
      setting: `${fmt(s.messages)} msgs, quota off, no latency`,
      result:
        `${fmt(s.endToEndRate)} msg/s end to end (${fmt(s.wallSeconds, 1)} s incl. start-up; ${fmt(s.runRate)} msg/s listing→last write) = ` +
        `**${fmt(ratio, 2)}** of the bare loop's ${fmt(bareRate)} msg/s (batch endpoint; ${fmt(singleRate)} msg/s one googleapis request per call); peak RSS ${fmt(s.hwmMb)} MB; CPU: sync ${fmt(s.syncCpuS, 1)} s (${fmt((1000 * s.syncCpuS) / s.messages, 2)} ms/msg), redis-server ${fmt(s.redisCpuS, 1)} s, emulator ${fmt(s.emulatorCpuS, 1)} s (bare loop: emulator ${fmt(bareEmuCpu, 1)} s, its client ${fmt(bareClientMsPerMsg, 2)} ms/msg); ` +
        `${cores} cores at that CPU allow at most ${fmt(ceilingRate)} msg/s = ${fmt(ceilingRate / bareRate, 2)} of the bare loop; 0.8 would leave the sync and its redis-server ${fmt(budgetMsPerMsg, 2)} ms/msg in all` +
        `${s.exact ? '' : '; MIRROR NOT EXACT'}`,
      target: '≥ 0.8 of bare, ≥ 1,200 msg/s',
      met: ratio >= 0.8 && s.endToEndRate >= 1200 && s.exact,
    });
  } finally {
    await stopProc(emu.proc);
  }
}

export async function cpuBig(opts: Options, dirs: string[], out: Results): Promise<void> {
  const messages = opts.quick ? 20_000 : 100_000;
  log(`cpu-bound at ${messages} messages`);
  const emu = await startEmulatorProcess(['--messages', String(messages), '--account', BENCH_EMAIL, '--seed', '43']);
  try {
    const s = await cpuSync(emu, BENCH_EMAIL, dirs, true);
    const small = out.data.cpu as CpuRun | undefined;
    // Linear time: the sync's CPU seconds per message against the 20k run's (wall time on a shared machine moves
    // with the load of other processes far more than CPU time does).
    const cpuLinear = small ? s.syncCpuS / s.messages / (small.syncCpuS / small.messages) : NaN;
    const wallLinear = small ? s.wallSeconds / s.messages / (small.wallSeconds / small.messages) : NaN;
    out.data['cpu-100k'] = { ...s, cpuPerMessageVsSmall: cpuLinear, wallPerMessageVsSmall: wallLinear };
    out.rows.push({
      regime: 'CPU-bound, large',
      setting: `${fmt(s.messages)} msgs, quota off, no latency`,
      result:
        `${fmt(s.endToEndRate)} msg/s end to end (${fmt(s.wallSeconds, 1)} s); sync CPU ${fmt((1000 * s.syncCpuS) / s.messages, 2)} ms/msg` +
        (small ? ` = ${fmt(cpuLinear, 2)}× the ${fmt(small.messages)}-message run's (wall ${fmt(wallLinear, 2)}×)` : '') +
        `; peak RSS **${fmt(s.hwmMb)} MB**${small ? ` (${fmt(small.hwmMb)} MB at ${fmt(small.messages)})` : ''}${s.exact ? '' : '; MIRROR NOT EXACT'}`,
      target: 'linear time, RSS ≤ 400 MB',
      met: s.hwmMb <= 400 && s.exact && (!small || cpuLinear <= 1.2),
    });
  } finally {
    await stopProc(emu.proc);
  }
}
