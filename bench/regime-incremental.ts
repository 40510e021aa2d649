// Incremental: 1,000 history changes on a synced mailbox at the real 2026 quota; the pass's time and units.
import { emulatorEnv } from '../test/helpers/cli';
import { connect, ctl, emuStats, mirrorExact, resetStats, startEmulatorProcess } from './emulator-process';
import { stopProc, timedSyncWait } from './processes';
import { BENCH_EMAIL, LATENCY, tmp, type Options, type Results } from './regime';
import { fmt, log } from './report';

export async function incremental(opts: Options, dirs: string[], out: Results): Promise<void> {
  const messages = opts.quick ? 2000 : 5000;
  const changes = 1000;
  log(`incremental: ${changes} history changes on a synced ${messages}-message mailbox, real 2026 quota, latency ${LATENCY} ms`);
  const emu = await startEmulatorProcess(['--messages', String(messages), '--account', BENCH_EMAIL, '--seed', '71']);
  try {
    const dir = tmp('mm-bench-incr-', dirs);
    await connect(emu, emulatorEnv(emu, dir), BENCH_EMAIL);
    await timedSyncWait(emulatorEnv(emu, dir));
    await ctl(emu, 'PUT', 'quota', { profile: '2026', scale: 1, maxConcurrent: 10 });
    await ctl(emu, 'PUT', 'latency', { min: 20, max: 50 });
    const before = await ctl<{ historyId: string }>(emu, 'GET', `accounts/${BENCH_EMAIL}/history-id`);
    await ctl(emu, 'POST', `accounts/${BENCH_EMAIL}/mutations`, { n: changes, seed: 7 });
    await resetStats(emu);
    const env = emulatorEnv(emu, dir, { MAILMIRROR_QUOTA_PROFILE: '2026', MAILMIRROR_QUOTA_SCALE: '1' });
    const r = await timedSyncWait(env);
    const stats = await emuStats(emu);
    await ctl(emu, 'PUT', 'latency', {});
    const exact = await mirrorExact(emu, env, BENCH_EMAIL, dir);
    const fetched = (stats.requests['messages.get'] ?? 0) + (stats.requests['threads.get'] ?? 0);
    out.data.incremental = { changes, historyIdBefore: before.historyId, wallSeconds: r.wallMs / 1000, units: stats.unitsCharged, requests: stats.requests, sent429: stats.sent429, sent403: stats.sent403, quota429: stats.quota429, quota403: stats.quota403, concurrency429: stats.concurrency429, exact };
    out.rows.push({
      regime: 'incremental',
      setting: `${fmt(changes)} random changes on ${fmt(messages)} msgs, real 2026 quota, ${LATENCY} ms`,
      result: `**${fmt(r.wallMs / 1000, 1)} s** (\`sync --wait\` start to exit), **${fmt(stats.unitsCharged)} units** (${fetched} detail fetches, ${stats.requests['history.list'] ?? 0} history pages); ${stats.sent429 + stats.sent403} × 429/403${stats.sent429 + stats.sent403 ? ` (quota ${stats.quota429 + stats.quota403}, concurrency ${stats.concurrency429})` : ''}${exact ? '' : '; MIRROR NOT EXACT'}`,
      target: '–',
      met: exact ? null : false,
    });
  } finally {
    await stopProc(emu.proc);
  }
}
