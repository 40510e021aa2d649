/**
 * `npm run bench`: measures the real sync pipeline against the Gmail emulator (issue 8) and writes
 * bench/results/<ISO date>.json and bench/results/latest.md (`npm run bench -- --help` for the options).
 *
 *   npm run bench                                   every regime (the 100k one unless --no-100k)
 *   npm run bench -- --only cpu,units               some regimes: quota-2026, quota-legacy (or quota),
 *                                                   quota-auto-legacy, quota-auto-2026 (or quota-auto),
 *                                                   cpu, cpu-100k, scale, units, first-use, incremental, search
 *   npm run bench -- --only scale --scale-messages 50000   the scale regime (500,000 messages) smaller
 *   npm run bench -- --no-100k                      skip the 100k-message run (also MAILMIRROR_BENCH_100K=0)
 *   npm run bench -- --quick                        smaller mailboxes (a smoke test of the harness itself)
 *
 * Every regime runs the emulator in its own process (`mailmirror emulator`, so its CPU is not charged to the
 * sync) and the app as a user would: `mailmirror account add` (OAuth against the emulator) and then
 * `mailmirror sync --wait`, a separate process with its own embedded redis-server, workers, quota governor and
 * SQLite file. The bench only reads that file (read-only, bench/store-reads.ts) and the emulator's control API
 * (/__emulator/stats: units charged, 429/403 sent, requests per method). The bare fetch loop of the CPU-bound
 * regime runs in this process with the app's own googleapis client against the same emulator process.
 *
 * The CLI is run, and pointed at the emulator, by the tests' own helpers (test/helpers/cli.ts).
 */
import { existsSync, rmSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { BIN, ROOT } from '../test/helpers/cli';
import { parseOptions, USAGE, type Regime } from './options';
import { children, stopProc } from './processes';
import { cpuBig, cpuBound } from './regime-cpu';
import { firstUse } from './regime-first-use';
import { incremental } from './regime-incremental';
import { quotaBound } from './regime-quota';
import { scaleRun } from './regime-scale';
import { searchBig } from './regime-search';
import { quotaAuto } from './regime-quota-auto';
import { unitsPerMessage } from './regime-units';
import { fmt, log, publish, type Meta, type Results } from './report';

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  if (opts.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (!existsSync(BIN)) throw new Error(`the CLI is not built (${BIN}): run \`npm run build\``);
  const t0 = performance.now();
  const loadStart = loadavg().map((l) => l.toFixed(1)).join(' ');
  const dirs: string[] = [];
  const results: Results = { rows: [], data: {} };
  const steps: Array<[Regime, () => Promise<void>]> = [
    ['units', () => unitsPerMessage(opts, dirs, results)],
    ['first-use', () => firstUse(opts, dirs, results)],
    ['quota-2026', () => quotaBound('2026', opts, dirs, results)],
    ['quota-legacy', () => quotaBound('legacy', opts, dirs, results)],
    ['quota-auto-legacy', () => quotaAuto('legacy', opts, dirs, results)],
    ['quota-auto-2026', () => quotaAuto('2026', opts, dirs, results)],
    ['cpu', () => cpuBound(opts, dirs, results)],
    ['cpu-100k', () => cpuBig(opts, dirs, results)],
    ['scale', () => scaleRun(opts, dirs, results)],
    ['incremental', () => incremental(opts, dirs, results)],
    ['search', () => searchBig(opts, dirs, results)],
  ];
  try {
    for (const [name, step] of steps) {
      if (!opts.only.has(name)) continue;
      const s0 = performance.now();
      await step();
      log(`${name} done in ${fmt((performance.now() - s0) / 1000, 1)} s: ${results.rows.slice(-1)[0]?.result ?? ''}`);
    }
  } finally {
    for (const c of children()) await stopProc(c);
    if (!opts.keep) for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
  const date = new Date().toISOString();
  const args = process.argv.slice(2);
  const meta: Meta = {
    command: `npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}`,
    date,
    machine: `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ${fmt(totalmem() / 2 ** 30)} GB, Node ${process.version}`,
    loadStart,
    loadEnd: loadavg().map((l) => l.toFixed(1)).join(' '),
    seconds: (performance.now() - t0) / 1000,
  };
  publish(ROOT, results, meta);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  for (const c of children()) c.kill('SIGKILL');
  process.exitCode = 1;
});
