// Units per message with full copies (issue 13): what a sync that keeps every original spends per message, on a
// text-only and an attachment-heavy mailbox, against the cheapest plan that keeps them.
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { emulatorEnv } from '../test/helpers/cli';
import { connect, ctl, emuStats, groundTruth, mirrorExact, resetStats, startEmulatorProcess } from './emulator-process';
import { stopProc, timedSyncWait } from './processes';
import { idealUnitsPerMessage, idealUnitsWithoutOriginals, tmp, type Options, type Results } from './regime';
import { fmt, log } from './report';

/**
 * Full copies on (the default `auto`): the units per message of a text-only and an attachment-heavy mailbox against
 * the cheapest plan that keeps every original; for comparison, the thread plan (threads.get, whose answer has no
 * original, then each original by the backfill) and what threads.get alone would cost without originals.
 */
export async function unitsPerMessage(opts: Options, dirs: string[], out: Results): Promise<void> {
  const messages = opts.quick ? 1000 : 3000;
  log(`units per message: ${messages}-message mailboxes, text only and attachment-heavy, originals kept`);
  const emu = await startEmulatorProcess(['--messages', '10', '--account', 'seed@example.com']);
  const table: Record<string, Record<string, number>> = {};
  const mailboxes = { 'text only': 0, 'attachment-heavy': 1 } as const;
  try {
    for (const [name, share] of Object.entries(mailboxes)) {
      const t: Record<string, number> = (table[name] = {});
      for (const strategy of ['auto', 'threads'] as const) {
        const email = `units-${share}-${strategy}@example.com`;
        // The same seed for both strategies: the same mailbox.
        await ctl(emu, 'POST', 'accounts', { email, spec: { messages, seed: 60, threadSize: 2.5, attachmentShare: share } });
        const dir = tmp('mm-bench-units-', dirs);
        const env = emulatorEnv(emu, dir, { MAILMIRROR_FETCH_STRATEGY: strategy });
        await connect(emu, env, email);
        await resetStats(emu);
        await timedSyncWait(env);
        const stats = await emuStats(emu);
        const truth = await groundTruth(emu, email);
        t[strategy] = stats.unitsCharged / truth.messages.length;
        t[`${strategy}Exact`] = (await mirrorExact(emu, env, email, dir)) ? 1 : 0;
        t.ideal = idealUnitsPerMessage(truth, '2026');
        t.idealThreads = idealUnitsWithoutOriginals(truth, '2026');
        if (strategy === 'auto') t.storeBytesPerMessage = storeBytes(dir) / truth.messages.length;
        rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    await stopProc(emu.proc);
  }
  out.data.units = table;
  for (const [name, t] of Object.entries(table)) {
    const rel = t.auto / t.ideal;
    const exact = t.autoExact && t.threadsExact;
    out.rows.push({
      regime: `units/message, full copies, ${name}`,
      setting: `${fmt(messages)} msgs, 2.5 per thread, 2026 costs`,
      result:
        `**${fmt(t.auto, 2)}** with originals (cheapest plan keeping them ${fmt(t.ideal, 2)}: **${fmt(rel, 2)}×**); ` +
        `threads.get first (no original in it) then each original: ${fmt(t.threads, 2)}; threads.get alone would be ${fmt(t.idealThreads, 2)}; ` +
        `store ${fmt(t.storeBytesPerMessage / 1024, 1)} KB/msg` +
        (exact ? '' : '; MIRROR NOT EXACT'),
      target: '≤ 1.02× the cheapest plan',
      met: exact ? rel <= 1.02 : false,
    });
  }
}

/** The store's files in a data folder (the database and its WAL). */
function storeBytes(dir: string): number {
  let n = 0;
  for (const f of readdirSync(dir)) if (f.startsWith('mailmirror.db')) n += statSync(join(dir, f)).size;
  return n;
}
