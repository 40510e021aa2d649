// Incremental: 200 random history changes on a synced 3,000-message mailbox (2.5 per thread) at Gmail's real
// quota; the pass's time and units, against what the peer (lieer 1.3) spent on the same change in issue 14's
// side-by-side run: 344 units. That run charged the legacy table (messages.get 5 units), so the target holds there;
// the same requests priced at the 2026 table are printed beside it (messages.get 20: the new messages dominate).
import { QUOTA_PROFILES, type GmailMethod, type QuotaProfileName } from '../src/shared/gmail-quota';
import { emulatorEnv } from '../test/helpers/cli';
import { connect, ctl, emuStats, mirrorExact, resetStats, startEmulatorProcess } from './emulator-process';
import { stopProc, timedSyncWait } from './processes';
import { BENCH_EMAIL, LATENCY, tmp, type Options, type Results } from './regime';
import { fmt, log } from './report';

/** The peer's units for the same pass (issue 14). */
const PEER_UNITS = 344;

/** What `requests` (per Gmail method; batch parts counted as their method) cost under a profile's table. */
function unitsAt(requests: Partial<Record<string, number>>, profile: QuotaProfileName): number {
  const costs = QUOTA_PROFILES[profile].costs;
  return Object.entries(requests).reduce((sum, [method, n]) => sum + (costs[method as GmailMethod] ?? 0) * (n ?? 0), 0);
}

export async function incremental(opts: Options, dirs: string[], out: Results): Promise<void> {
  const messages = 3000;
  const changes = 200;
  const profile: QuotaProfileName = 'legacy';
  log(`incremental: ${changes} history changes on a synced ${messages}-message mailbox, real ${profile} quota, latency ${LATENCY} ms`);
  const emu = await startEmulatorProcess(['--messages', String(messages), '--thread-size', '2.5', '--account', BENCH_EMAIL, '--seed', '71']);
  try {
    const dir = tmp('mm-bench-incr-', dirs);
    await connect(emu, emulatorEnv(emu, dir), BENCH_EMAIL);
    await timedSyncWait(emulatorEnv(emu, dir));
    await ctl(emu, 'PUT', 'quota', { profile, scale: 1, maxConcurrent: 10 });
    await ctl(emu, 'PUT', 'latency', { min: 20, max: 50 });
    const before = await ctl<{ historyId: string }>(emu, 'GET', `accounts/${BENCH_EMAIL}/history-id`);
    await ctl(emu, 'POST', `accounts/${BENCH_EMAIL}/mutations`, { n: changes, seed: 7 });
    await resetStats(emu);
    const env = emulatorEnv(emu, dir, { MAILMIRROR_QUOTA_PROFILE: profile, MAILMIRROR_QUOTA_SCALE: '1' });
    const r = await timedSyncWait(env);
    const stats = await emuStats(emu);
    await ctl(emu, 'PUT', 'latency', {});
    const exact = await mirrorExact(emu, env, BENCH_EMAIL, dir);
    const fetched = (stats.requests['messages.get'] ?? 0) + (stats.requests['threads.get'] ?? 0);
    const units2026 = unitsAt(stats.requests, '2026');
    const rejected = stats.sent429 + stats.sent403;
    out.data.incremental = {
      changes, messages, profile, historyIdBefore: before.historyId, wallSeconds: r.wallMs / 1000, units: stats.unitsCharged,
      units2026, peerUnits: PEER_UNITS, requests: stats.requests, sent429: stats.sent429, sent403: stats.sent403,
      quota429: stats.quota429, quota403: stats.quota403, concurrency429: stats.concurrency429, exact,
    };
    const perMethod = (['messages.get', 'threads.get', 'history.list', 'labels.list', 'labels.get', 'users.getProfile', 'messages.list'] as const)
      .filter((m) => stats.requests[m])
      .map((m) => `${m} ${stats.requests[m]}`)
      .join(', ');
    out.rows.push({
      regime: 'incremental',
      setting: `${fmt(changes)} random changes on ${fmt(messages)} msgs (2.5 per thread), real ${profile} quota, ${LATENCY} ms`,
      result:
        `**${fmt(stats.unitsCharged)} units** at ${profile} costs (${fmt(units2026)} at 2026 costs; ${fetched} detail fetches; ${perMethod}); ` +
        `${fmt(r.wallMs / 1000, 1)} s (\`sync --wait\` start to exit); ${rejected} × 429/403` +
        `${rejected ? ` (quota ${stats.quota429 + stats.quota403}, concurrency ${stats.concurrency429})` : ''}${exact ? '' : '; MIRROR NOT EXACT'}`,
      target: `≤ ${PEER_UNITS} units (lieer 1.3, legacy costs)`,
      met: exact && stats.unitsCharged <= PEER_UNITS,
    });
  } finally {
    await stopProc(emu.proc);
  }
}
