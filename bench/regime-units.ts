// Units per message: the quota units each fetch strategy spends per message, on mailboxes of 1, 2 and 3 messages
// per thread, against the cheapest possible plan.
import { rmSync } from 'node:fs';
import { emulatorEnv } from '../test/helpers/cli';
import { connect, ctl, emuStats, groundTruth, mirrorExact, resetStats, startEmulatorProcess } from './emulator-process';
import { stopProc, timedSyncWait } from './processes';
import { idealUnitsPerMessage, tmp, type Options, type Results } from './regime';
import { fmt, log } from './report';

export async function unitsPerMessage(opts: Options, dirs: string[], out: Results): Promise<void> {
  const messages = opts.quick ? 1000 : 3000;
  log(`units per message: ${messages}-message mailboxes of 1, 2 and 3 messages per thread`);
  const emu = await startEmulatorProcess(['--messages', '10', '--account', 'seed@example.com']);
  const table: Record<string, Record<string, number>> = {};
  try {
    for (const threadSize of [1, 2, 3]) {
      table[threadSize] = {};
      for (const strategy of ['messages', 'threads', 'auto'] as const) {
        const email = `units-${threadSize}-${strategy}@example.com`;
        // The same seed for the three strategies: the same mailbox.
        await ctl(emu, 'POST', 'accounts', { email, spec: { messages, seed: 50 + threadSize, threadSize } });
        const dir = tmp('mm-bench-units-', dirs);
        const env = emulatorEnv(emu, dir, { MAILMIRROR_FETCH_STRATEGY: strategy });
        await connect(emu, env, email);
        await resetStats(emu);
        await timedSyncWait(env);
        const stats = await emuStats(emu);
        const truth = await groundTruth(emu, email);
        table[threadSize][strategy] = stats.unitsCharged / truth.messages.length;
        table[threadSize][`${strategy}Exact`] = (await mirrorExact(emu, env, email, dir)) ? 1 : 0;
        table[threadSize].ideal = idealUnitsPerMessage(truth, '2026');
        table[threadSize].measuredThreadSize = truth.messages.length / new Set(truth.messages.map((m) => m.threadId)).size;
        rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    await stopProc(emu.proc);
  }
  out.data.units = table;
  for (const ts of [1, 2, 3]) {
    const t = table[ts];
    const rel = t.auto / t.messages;
    const exact = t.messagesExact && t.threadsExact && t.autoExact;
    out.rows.push({
      regime: `units/message, ${ts} per thread`,
      setting: `${fmt(messages)} msgs (${fmt(t.measuredThreadSize, 2)} per thread), 2026 costs`,
      result:
        `messages.get ${fmt(t.messages, 2)} · threads.get ${fmt(t.threads, 2)} · auto ${fmt(t.auto, 2)} = **${fmt(rel, 2)}×** messages.get (ideal ${fmt(t.ideal, 2)})` +
        (exact ? '' : '; MIRROR NOT EXACT'),
      target: ts === 3 ? 'auto ≤ 0.75×' : ts === 1 ? 'auto ≤ 1.0×' : '–',
      met: !exact ? false : ts === 3 ? rel <= 0.75 : ts === 1 ? rel <= 1.0 : null,
    });
  }
}
