// Auto quota profile (issue 14): MAILMIRROR_QUOTA_PROFILE=auto against an emulator on one table or the other. On
// `legacy` (unscaled: 250 units/s), how much of that table's ceiling the whole sync reaches, probe included; on
// `2026`, how many rate-limit answers finding that out costs, and that none follow once it is found.
import { QUOTA_PROFILES, type QuotaProfileName } from '../src/shared/gmail-quota';
import type { RememberedProfile } from '../src/main/db';
import { emulatorEnv } from '../test/helpers/cli';
import { connect, ctl, emuStats, groundTruth, mirrorExact, resetStats, startEmulatorProcess, type EmuStats } from './emulator-process';
import { sleep, stopProc, timedCli } from './processes';
import { BENCH_EMAIL, idealUnitsPerMessage, LATENCY, tmp, type Options, type Results } from './regime';
import { chargeUse, describeUse } from './charges';
import { fmt, log } from './report';
import { lastFullRun, watchStore, type StoreWatch } from './store-reads';

/** After the answer is stored, requests already in flight may still be answered 429 for this long. */
const IN_FLIGHT_GRACE_MS = 1000;

export async function quotaAuto(table: QuotaProfileName, opts: Options, dirs: string[], out: Results): Promise<void> {
  const legacy = table === 'legacy';
  const messages = legacy ? (opts.quick ? 2000 : 9000) : opts.quick ? 1500 : 4000;
  log(`quota auto on a ${table}-table emulator: ${messages} messages, latency ${LATENCY} ms`);
  const emu = await startEmulatorProcess(['--messages', String(messages), '--account', BENCH_EMAIL, '--seed', '37', '--latency', LATENCY]);
  try {
    const truth = await groundTruth(emu, BENCH_EMAIL);
    const ideal = idealUnitsPerMessage(truth, table);
    const perMinute = QUOTA_PROFILES[table].unitsPerMinute;
    // `legacy` as Gmail holds it; `2026` scaled so that the sync takes about 40 s at its ceiling.
    const scale = legacy ? 1 : Math.round(((messages * ideal) / (perMinute * 0.95 * (40 / 60))) * 100) / 100;
    const ceiling = (perMinute * scale) / 60 / ideal;
    await ctl(emu, 'PUT', 'quota', { profile: table, scale, maxConcurrent: 10 });
    const dir = tmp('mm-bench-auto-', dirs);
    const env = emulatorEnv(emu, dir, { MAILMIRROR_QUOTA_PROFILE: 'auto', MAILMIRROR_QUOTA_SCALE: String(scale) });
    await connect(emu, env, BENCH_EMAIL);
    await resetStats(emu);

    const run = timedCli(['sync', '--wait'], env);
    let found: RememberedProfile | null = null;
    let foundAtMs = NaN;
    let afterFound: Promise<EmuStats> | null = null;
    let store: StoreWatch | null = null;
    const exited = run.done.then(() => true);
    try {
      while (!(await Promise.race([exited, sleep(200).then(() => false)]))) {
        if (found) continue;
        store ??= watchStore(dir);
        try {
          found = store?.quotaProfile() ?? null;
        } catch {
          // the schema may not be migrated yet
        }
        if (found) {
          foundAtMs = performance.now() - run.startedAt;
          afterFound = sleep(IN_FLIGHT_GRACE_MS).then(() => emuStats(emu));
        }
      }
    } finally {
      store?.close();
    }
    const r = await run.done;
    if (r.code !== 0) throw new Error(`sync --wait exited ${r.code}: ${r.stderr}\n${r.stdout.slice(-2000)}`);
    const stats = await emuStats(emu);
    const atFound = afterFound ? await afterFound : null;
    const times = lastFullRun(dir);
    const seconds = (times.finishedAt - times.startedAt) / 1000;
    const rate = truth.messages.length / seconds;
    const ratio = rate / ceiling;
    const errors = stats.sent429 + stats.sent403;
    const use = chargeUse(stats.charges, (perMinute * scale) / 60, times.startedAt, times.finishedAt);
    log(`quota auto on ${table}: ${describeUse(use)}`);
    const later = atFound ? errors - (atFound.sent429 + atFound.sent403) : NaN;
    const detected = (found as RememberedProfile | null)?.profile ?? null;
    const exact = await mirrorExact(emu, env, BENCH_EMAIL, dir);
    out.data[`quota-auto-${table}`] = {
      messages: truth.messages.length, scale, idealUnitsPerMessage: ideal, ceilingMessagesPerSecond: ceiling, seconds,
      messagesPerSecond: rate, ratio, detected, detectedAfterSeconds: foundAtMs / 1000, sent429: stats.sent429,
      sent403: stats.sent403, rateLimitAnswersAfterDetection: later, unitsCharged: stats.unitsCharged, requests: stats.requests,
      wallSeconds: r.wallMs / 1000, exact, budgetUsed: use.share, budgetUsedPerSecond: use.perSecond,
    };
    const found$ = detected ? `found **${detected}** after ${fmt(foundAtMs / 1000, 1)} s` : '**not found**';
    const tail = exact ? '' : '; MIRROR NOT EXACT';
    out.rows.push(legacy
      ? {
        regime: 'quota auto, legacy table',
        setting: `${fmt(truth.messages.length)} msgs, real legacy quota (15,000 units/min, 250/s), MAILMIRROR_QUOTA_PROFILE=auto, ${LATENCY} ms`,
        result: `${fmt(rate, 1)} msg/s = **${fmt(ratio, 3)}** of the legacy ceiling ${fmt(ceiling, 1)} msg/s over the whole sync; ${found$}; ${errors} × 429/403${tail}`,
        target: '≥ 0.8, ≤ 20 × 429/403',
        met: ratio >= 0.8 && errors <= 20 && detected === 'legacy' && exact,
      }
      : {
        regime: 'quota auto, 2026 table',
        setting: `${fmt(truth.messages.length)} msgs, ${fmt(perMinute * scale)} units/min (×${scale}) per minute and per second, MAILMIRROR_QUOTA_PROFILE=auto, ${LATENCY} ms`,
        result: `${found$}; **${errors}** × 429/403 in all, **${Number.isNaN(later) ? '–' : later}** after that; ${fmt(ratio, 3)} of the 2026 ceiling${tail}`,
        target: '≤ 20 × 429/403, then 0',
        met: errors <= 20 && later === 0 && detected === '2026' && exact,
      });
  } finally {
    await stopProc(emu.proc);
  }
}
