// `mailmirror demo` (npm run demo): the main job with no Google account. The built-in Gmail emulator
// with a generated mailbox, an embedded redis-server and a temporary data folder; the demo account is
// connected through the real OAuth flow, fully synced with a live progress bar, and the labels are
// shown with their counts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliContext } from '../cli-context';
import { parseCommandArgs, UsageError } from '../args';
import { startEmulator } from '../../../emulator';
import { connectAccount } from '../../gmail/account-auth';
import { FileKeySecretBox } from '../../gmail/secret-box';
import { createAppCore } from '../../app-core';
import { waitUntilIdle } from './sync';
import { formatTable } from '../output';
import type { AppConfig } from '../../config';
import { openDatabase } from '../../db/client';

export const DEMO_ACCOUNT = 'demo@mailmirror.test';

export async function demoCommand(ctx: CliContext, args: string[]): Promise<number> {
  const { values } = parseCommandArgs('demo', args, {
    messages: { type: 'string' },
    'quota-scale': { type: 'string' },
    keep: { type: 'boolean' },
  });
  const count = values.messages ? Number(values.messages) : 3000;
  if (!Number.isInteger(count) || count < 1 || count > 500_000) throw new UsageError('demo: --messages must be a whole number from 1 to 500000');
  // Gmail's 2026 quota (6,000 units/min) scaled up so a few thousand messages take about a minute.
  const scale = values['quota-scale'] ? Number(values['quota-scale']) : 8;
  if (!Number.isFinite(scale) || scale < 0) throw new UsageError('demo: --quota-scale must be a number ≥ 0');

  const dataDir = mkdtempSync(join(tmpdir(), 'mailmirror-demo-'));
  ctx.stdout.write(`Starting the Gmail emulator with ${count.toLocaleString('en-US')} messages…\n`);
  const emu = await startEmulator({ quota: { profile: '2026', scale }, latencyMs: { min: 5, max: 25 } });
  emu.addAccount(DEMO_ACCOUNT, { messages: count, seed: 2026 });
  const config: AppConfig = {
    ...ctx.config,
    dataDir,
    redisUrl: ctx.config.redisUrl,
    gmailApiUrl: emu.gmailApiUrl,
    oauthAuthUrl: emu.oauth.authUrl,
    oauthTokenUrl: emu.oauth.tokenUrl,
    oauthRevokeUrl: emu.oauth.revokeUrl,
    clientId: emu.clientId,
    clientSecret: emu.clientSecret,
    quotaProfile: '2026',
    quotaScale: scale,
    queuePrefix: `mailmirror-demo-${process.pid}`,
  };
  try {
    // The real installed-app flow: the emulator consents at once, so following the URL completes it.
    const db = openDatabase(join(dataDir, 'mailmirror.db'));
    let connected;
    try {
      connected = await connectAccount(
        { db, config, box: new FileKeySecretBox(dataDir) },
        { openBrowser: false, onUrl: (url) => void fetch(url).catch(() => undefined) },
      );
    } finally {
      db.close();
    }
    ctx.stdout.write(`Connected ${connected.email}. Syncing (Gmail quota profile 2026 ×${scale})…\n`);
    const core = await createAppCore(config, { runWorkers: true });
    const t0 = Date.now();
    let code: number;
    try {
      await core.sync.requestSync(connected.accountId);
      code = await waitUntilIdle(core, ctx, [connected.accountId]);
      if (code === 0) {
        const secs = (Date.now() - t0) / 1000;
        const rows = core.db.sqlite
          .prepare(
            `SELECT name, type, messages_total AS total, messages_unread AS unread FROM labels
              WHERE account_id = ? ORDER BY type DESC, name`,
          )
          .all(connected.accountId) as { name: string; type: string; total: number; unread: number }[];
        ctx.stdout.write(`\nFull sync finished in ${secs.toFixed(1)} s.\n\n`);
        const table = formatTable(
          ['Label', 'Type', 'Messages', 'Unread'],
          rows.map((r) => [r.name, r.type, r.total.toLocaleString('en-US'), r.unread.toLocaleString('en-US')]),
        );
        for (const line of table) ctx.stdout.write(`${line}\n`);
      }
    } finally {
      await core.close();
    }
    if (values.keep) ctx.stdout.write(`\nThe demo mirror is kept in ${dataDir}\n`);
    return code;
  } finally {
    await emu.close();
    if (!values.keep) rmSync(dataDir, { recursive: true, force: true });
  }
}
