// `mailmirror demo` (npm run demo): the main job with no Google account. The built-in Gmail emulator
// with a generated mailbox, an embedded redis-server and a temporary data folder; the demo account is
// connected through the real OAuth flow, fully synced with a live progress bar, and the labels are
// shown with their counts.
import type { CliContext } from '../cli-context';
import { parseCommandArgs, UsageError } from '../args';
import { createAppCore } from '../../app-core';
import { waitUntilIdle } from './sync';
import { DEMO_QUOTA_SCALE, startDemoBackend } from '../demo-backend';
import { formatTable } from '../output';
import type { LabelRow } from '../../app-core';
import { CATEGORY_LABEL_ORDER, SYSTEM_LABEL_ORDER, labelDisplayName } from '../../../shared/label-tree';

/** Gmail's sidebar order: system labels, the inbox categories, then user labels by name. */
function orderLabels(rows: LabelRow[]): LabelRow[] {
  const order = [...SYSTEM_LABEL_ORDER, ...CATEGORY_LABEL_ORDER];
  const rank = (r: LabelRow) => (r.type === 'user' ? 1000 : order.includes(r.id) ? order.indexOf(r.id) : 500);
  return [...rows].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
}


export async function demoCommand(ctx: CliContext, args: string[]): Promise<number> {
  const { values } = parseCommandArgs('demo', args, {
    messages: { type: 'string' },
    'quota-scale': { type: 'string' },
    keep: { type: 'boolean' },
  });
  const count = values.messages ? Number(values.messages) : 3000;
  if (!Number.isInteger(count) || count < 1 || count > 500_000) throw new UsageError('demo: --messages must be a whole number from 1 to 500000');
  const scale = values['quota-scale'] ? Number(values['quota-scale']) : DEMO_QUOTA_SCALE;
  if (!Number.isFinite(scale) || scale < 0) throw new UsageError('demo: --quota-scale must be a number ≥ 0');

  ctx.stdout.write(`Starting the Gmail emulator with ${count.toLocaleString('en-US')} messages…\n`);
  const demo = await startDemoBackend(ctx.config, { messages: count, quotaScale: scale, keepDataDir: values.keep });
  const { config } = demo;
  try {
    const core = await createAppCore(config, { runWorkers: true, demo });
    const t0 = Date.now();
    let code: number;
    try {
      // The real OAuth flow, answered by the emulator; connecting queues the first sync.
      const connected = await core.connectDemo!();
      const account = core.findAccount(connected.email)!;
      ctx.stdout.write(`Connected ${connected.email}. Syncing (Gmail quota profile 2026 ×${scale})…\n`);
      code = await waitUntilIdle(core, ctx, [account.id]);
      if (code === 0) {
        const secs = (Date.now() - t0) / 1000;
        const rows = orderLabels(core.labels(account.id));
        ctx.stdout.write(`\nFull sync finished in ${secs.toFixed(1)} s.\n\n`);
        const n = (v: number) => v.toLocaleString('en-US');
        const table = formatTable(
          ['Label', 'Messages', 'Unread', 'Threads', 'In the mirror'],
          rows.map((r) => [r.type === 'user' ? r.name : labelDisplayName(r), n(r.messagesTotal), n(r.messagesUnread), n(r.threadsTotal), n(r.localMessagesTotal)]),
        );
        for (const line of table) ctx.stdout.write(`${line}\n`);
      }
    } finally {
      await core.close();
    }
    if (values.keep) ctx.stdout.write(`\nThe demo mirror is kept in ${config.dataDir}\n`);
    return code;
  } finally {
    await demo.close();
  }
}
