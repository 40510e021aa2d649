// Quota-bound: a sync held to Gmail's per-user quota (2026 or legacy costs, scaled so it takes about a minute)
// reaches what fraction of the ceiling that quota allows, with no 429/403.
import { QUOTA_PROFILES, type QuotaProfileName } from '../src/shared/gmail-quota';
import { emulatorEnv } from '../test/helpers/cli';
import { connect, ctl, emuStats, groundTruth, mirrorExact, resetStats, startEmulatorProcess } from './emulator-process';
import { stopProc, timedSyncWait } from './processes';
import { BENCH_EMAIL, idealUnitsPerMessage, LATENCY, tmp, type Options, type Results } from './regime';
import { chargeUse, describeUse } from './charges';
import { fmt, log } from './report';
import { lastFullRun } from './store-reads';

export async function quotaBound(profile: QuotaProfileName, opts: Options, dirs: string[], out: Results): Promise<void> {
  const messages = opts.quick ? 2000 : 10_000;
  const targetSeconds = opts.quick ? 15 : 60;
  log(`quota-bound ${profile}: ${messages} messages, latency ${LATENCY} ms`);
  const emu = await startEmulatorProcess(['--messages', String(messages), '--account', BENCH_EMAIL, '--seed', '31', '--latency', LATENCY]);
  try {
    const truth = await groundTruth(emu, BENCH_EMAIL);
    const ideal = idealUnitsPerMessage(truth, profile);
    const perMinute = QUOTA_PROFILES[profile].unitsPerMinute;
    // The budget such that a sync at 0.95 of the ceiling takes about targetSeconds.
    const scale = Math.round(((messages * ideal) / (perMinute * 0.95 * (targetSeconds / 60))) * 100) / 100;
    const budgetPerMinute = perMinute * scale;
    const ceiling = budgetPerMinute / 60 / ideal;
    await ctl(emu, 'PUT', 'quota', { profile, scale, maxConcurrent: 10 });
    const dir = tmp('mm-bench-quota-', dirs);
    const env = emulatorEnv(emu, dir, { MAILMIRROR_QUOTA_PROFILE: profile, MAILMIRROR_QUOTA_SCALE: String(scale) });
    await connect(emu, env, BENCH_EMAIL);
    await resetStats(emu);
    const r = await timedSyncWait(env);
    const stats = await emuStats(emu);
    const run = lastFullRun(dir);
    const seconds = (run.finishedAt - run.startedAt) / 1000;
    const rate = truth.messages.length / seconds;
    const ratio = rate / ceiling;
    const errors = stats.sent429 + stats.sent403;
    const use = chargeUse(stats.charges, budgetPerMinute / 60, run.startedAt, run.finishedAt);
    log(`quota-bound ${profile}: ${describeUse(use)}`);
    const exact = await mirrorExact(emu, env, BENCH_EMAIL, dir);
    out.data[`quota-${profile}`] = {
      messages: truth.messages.length, scale, budgetPerMinute, idealUnitsPerMessage: ideal, ceilingMessagesPerSecond: ceiling,
      seconds, messagesPerSecond: rate, ratio, sent429: stats.sent429, sent403: stats.sent403,
      quota429: stats.quota429, quota403: stats.quota403, concurrency429: stats.concurrency429,
      unitsCharged: stats.unitsCharged, unitsPerMessage: stats.unitsCharged / truth.messages.length,
      requests: stats.requests, wallSeconds: r.wallMs / 1000, exact, budgetUsed: use.share, budgetUsedPerSecond: use.perSecond,
    };
    out.rows.push({
      regime: `quota-bound, ${profile}`,
      setting: `${fmt(truth.messages.length)} msgs, ${fmt(budgetPerMinute)} units/min (×${scale}) held per minute and per second, ${LATENCY} ms`,
      result: `${fmt(rate, 1)} msg/s = **${fmt(ratio, 3)}** of ceiling ${fmt(ceiling, 1)} msg/s (ideal ${fmt(ideal, 2)} u/msg; spent ${fmt(stats.unitsCharged / truth.messages.length, 2)}); ${errors} × 429/403${errors ? ` (quota ${stats.quota429 + stats.quota403}, concurrency ${stats.concurrency429})` : ''}${exact ? '' : '; MIRROR NOT EXACT'}`,
      target: '≥ 0.95, 0 × 429/403',
      met: ratio >= 0.95 && errors === 0 && exact,
    });
  } finally {
    await stopProc(emu.proc);
  }
}
