// The demo mailbox: the built-in Gmail emulator with a generated mailbox, a temporary data folder, and
// a config pointing the app at both. Used by `mailmirror demo` and `mailmirror serve --demo`.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../../emulator';
import type { AppConfig } from '../config';
import { databaseFile, openDatabase } from '../db/client';
import { tokenRepository } from '../db/tokens';
import { connectAccount, type ConnectedAccount } from '../gmail/account-auth';
import { FileKeySecretBox } from '../gmail/secret-box';

export const DEMO_ACCOUNT = 'demo@mailmirror.test';

export type DemoBackend = {
  config: AppConfig;
  emulator: Emulator;
  /** Connects the demo account through the real OAuth flow (the emulator consents at once). */
  connect(): Promise<ConnectedAccount>;
  close(): Promise<void>;
};

export async function startDemoBackend(
  base: AppConfig,
  opts: { messages: number; quotaScale: number; keepDataDir?: boolean; dataDir?: string },
): Promise<DemoBackend> {
  // A given folder (the desktop app's <data>/demo) is kept; a temporary one goes with close().
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'mailmirror-demo-'));
  if (opts.dataDir) mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // Gmail's 2026 quota, scaled so that a few thousand messages take about a minute, with latency.
  const emulator = await startEmulator({ quota: { profile: '2026', scale: opts.quotaScale }, latencyMs: { min: 5, max: 25 } });
  emulator.addAccount(DEMO_ACCOUNT, { messages: opts.messages, seed: 2026 });
  const config: AppConfig = {
    ...base,
    dataDir,
    gmailApiUrl: emulator.gmailApiUrl,
    oauthAuthUrl: emulator.oauth.authUrl,
    oauthTokenUrl: emulator.oauth.tokenUrl,
    oauthRevokeUrl: emulator.oauth.revokeUrl,
    clientId: emulator.clientId,
    clientSecret: emulator.clientSecret,
    // Explicit: neither a client the user saved nor a built-in one may replace the emulator's.
    clientSource: 'environment',
    quotaProfile: '2026',
    quotaScale: opts.quotaScale,
    queuePrefix: `mailmirror-demo-${process.pid}`,
  };
  return {
    config,
    emulator,
    async connect() {
      const db = openDatabase(databaseFile(dataDir));
      try {
        return await connectAccount(
          { tokenRepo: tokenRepository(db), config, box: new FileKeySecretBox(dataDir) },
          { openBrowser: false, onUrl: (url) => void fetch(url).catch(() => undefined) },
        );
      } finally {
        db.close();
      }
    },
    async close() {
      await emulator.close();
      if (!opts.keepDataDir && !opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
