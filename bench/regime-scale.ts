// Scale (issue 14): a 500,000-message mailbox synced with the quota off, then used. Whether the sync's time stays
// linear in messages (the rate and the sync's CPU per message over each fifth of the mailbox, from the store's count
// and /proc polled while it runs), its peak
// memory (the sync process, and with its embedded redis-server), the store's size per message, and what a user then
// waits for on the finished mirror: a label's first page, a message opened, a Gmail search (p95 of 100 tries each).
import { emulatorEnv } from '../test/helpers/cli';
import { connect, startEmulatorProcess } from './emulator-process';
import { procSample, sleep, stopProc, timedCli } from './processes';
import { BENCH_EMAIL, tmp, type Options, type Results } from './regime';
import { fmt, log } from './report';
import { SEARCH_QUERIES, percentile } from './regime-search';
import { fetchedMessageCount, lastFullRun, storeBytes, timeMirrorReads } from './store-reads';

const TRIES = 100;
const SLICES = 5;
/** How often the store's count of fetched messages is read while the sync runs. */
const POLL_MS = 2000;
const TARGET = { rssMb: 400, labelPageMs: 50, messageMs: 50, searchMs: 300, sliceRatio: 1.25 };

/** A poll while the sync runs: ms from its start, messages stored, the sync process' CPU seconds so far. */
type Sample = { ms: number; stored: number; cpuS: number };

/**
 * The time and CPU seconds at which the count first reached `n`, linearly between the two polls around it.
 */
function crossing(samples: Sample[], n: number): { ms: number; cpuS: number } {
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1];
    const b = samples[i];
    if (b.stored < n) continue;
    const f = b.stored === a.stored ? 1 : (n - a.stored) / (b.stored - a.stored);
    return { ms: a.ms + f * (b.ms - a.ms), cpuS: a.cpuS + f * (b.cpuS - a.cpuS) };
  }
  return { ms: Number.NaN, cpuS: Number.NaN };
}

export async function scaleRun(opts: Options, dirs: string[], out: Results): Promise<void> {
  const messages = opts.scaleMessages ?? (opts.quick ? 20_000 : 500_000);
  log(`scale: ${fmt(messages)} messages, no quota, no latency`);
  const emuT0 = performance.now();
  const emu = await startEmulatorProcess(['--messages', String(messages), '--account', BENCH_EMAIL, '--seed', '53']);
  log(`scale: emulator ready in ${fmt((performance.now() - emuT0) / 1000, 1)} s`);
  const dir = tmp('mm-bench-scale-', dirs);
  const samples: Sample[] = [{ ms: 0, stored: 0, cpuS: 0 }];
  let r;
  try {
    const env = emulatorEnv(emu, dir);
    await connect(emu, env, BENCH_EMAIL);
    const nodeArgs = (process.env.MAILMIRROR_BENCH_SYNC_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const run = timedCli(['sync', '--wait'], env, nodeArgs);
    let exited = false;
    void run.done.then(() => (exited = true));
    while (!exited) {
      await Promise.race([sleep(POLL_MS), run.done]);
      try {
        const cpuS = procSample(run.proc.pid)?.cpuS;
        if (cpuS !== undefined) samples.push({ ms: performance.now() - run.startedAt, stored: fetchedMessageCount(dir), cpuS });
      } catch {
        // the store is not created or migrated yet
      }
    }
    r = await run.done;
    if (r.code !== 0) throw new Error(`sync --wait exited ${r.code}: ${r.stderr.slice(-1000)}`);
  } finally {
    await stopProc(emu.proc);
  }
  const stored = fetchedMessageCount(dir);
  samples.push({ ms: r.wallMs, stored, cpuS: r.cpuS });
  const runTimes = lastFullRun(dir);
  // Each fifth of the mailbox: messages stored per second of wall time, and the sync process' CPU ms per message
  // (what the machine's other load moves much less than the wall time).
  const marks = Array.from({ length: SLICES + 1 }, (_, k) => (k === 0 ? samples[0] : crossing(samples, (stored * k) / SLICES)));
  const per = stored / SLICES;
  const sliceRates = marks.slice(1).map((m, k) => per / ((m.ms - marks[k].ms) / 1000));
  const sliceCpuMs = marks.slice(1).map((m, k) => (1000 * (m.cpuS - marks[k].cpuS)) / per);
  // Linear: the last fifth costs no more CPU per message than the second, by more than 25% (the first carries the
  // start-up: the processes, the first listing pages).
  const sliceRatio = sliceCpuMs[SLICES - 1] / sliceCpuMs[1];
  const bytes = storeBytes(dir);
  const t = timeMirrorReads(dir, TRIES, SEARCH_QUERIES);
  const p95 = {
    labelPage: percentile(t.labelPageMs, 95),
    threadPage: percentile(t.threadPageMs, 95),
    message: percentile(t.messageMs, 95),
    search: percentile(t.searchMs, 95),
  };
  const small = out.data['cpu-100k'] as { syncCpuS: number; messages: number } | undefined;
  const cpuMsPerMsg = (1000 * r.cpuS) / stored;
  const cpuVs100k = small ? cpuMsPerMsg / ((1000 * small.syncCpuS) / small.messages) : Number.NaN;
  const redisMb = Object.entries(r.childRssMb).filter(([name]) => name.startsWith('redis')).reduce((n, [, mb]) => Math.max(n, mb), 0);
  out.data.scale = {
    messages: stored, wallSeconds: r.wallMs / 1000, runSeconds: (runTimes.finishedAt - runTimes.startedAt) / 1000,
    sliceRates, sliceCpuMs, sliceRatio, samples, syncCpuS: r.cpuS, cpuMsPerMessage: cpuMsPerMsg, cpuVs100k,
    peakRssMb: r.hwmMb, treeRssMb: r.treeRssMb, childRssMb: r.childRssMb,
    databaseBytes: bytes.database, dataDirBytes: bytes.dataDir, bytesPerMessage: bytes.database / stored,
    p95, reads: t,
  };
  log(`scale: ${fmt(stored)} stored in ${fmt(r.wallMs / 1000, 1)} s; per fifth msg/s ${sliceRates.map((x) => fmt(x)).join(' · ')}, CPU ms/msg ${sliceCpuMs.map((x) => fmt(x, 2)).join(' · ')}; RSS sync ${fmt(r.hwmMb)} MB, with redis ${fmt(r.treeRssMb)} MB`);
  const met =
    stored === messages && sliceRatio <= TARGET.sliceRatio && r.hwmMb <= TARGET.rssMb && Math.max(p95.labelPage, p95.threadPage) <= TARGET.labelPageMs &&
    p95.message <= TARGET.messageMs && p95.search <= TARGET.searchMs;
  out.rows.push({
    regime: 'scale',
    setting: `${fmt(messages)} msgs, quota off, no latency; then ${TRIES} tries of each read on the finished mirror`,
    result:
      `${fmt(stored)} stored in ${fmt(r.wallMs / 1000)} s (${fmt(stored / (r.wallMs / 1000))} msg/s end to end); per fifth of the mailbox ` +
      `${sliceRates.map((x) => fmt(x)).join(' · ')} msg/s, sync CPU ${sliceCpuMs.map((x) => fmt(x, 2)).join(' · ')} ms/msg (the last fifth **${fmt(sliceRatio, 2)}×** the second's)` +
      `; sync CPU ${fmt(cpuMsPerMsg, 2)} ms/msg${small ? ` (${fmt(cpuVs100k, 2)}× the 100k run's)` : ''}` +
      `; peak RSS **${fmt(r.hwmMb)} MB** (with redis-server ${fmt(r.treeRssMb)} MB; redis alone ${fmt(redisMb)} MB)` +
      `; SQLite ${fmt(bytes.database / 2 ** 20)} MB = **${fmt(bytes.database / stored / 1024, 1)} KB/msg** (data folder ${fmt(bytes.dataDir / 2 ** 20)} MB)` +
      `; p95 label page **${fmt(p95.labelPage, 1)} ms** (conversations ${fmt(p95.threadPage, 1)} ms), message **${fmt(p95.message, 1)} ms**, search **${fmt(p95.search, 1)} ms**` +
      (stored === messages ? '' : `; ONLY ${fmt(stored)} OF ${fmt(messages)} STORED`),
    target: `linear time (CPU per message of the last fifth ≤ ${TARGET.sliceRatio}× the second's), RSS ≤ ${TARGET.rssMb} MB, p95 label page ≤ ${TARGET.labelPageMs} ms, message ≤ ${TARGET.messageMs} ms, search ≤ ${TARGET.searchMs} ms`,
    met,
  });
}
