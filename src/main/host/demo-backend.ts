// The demo mailbox: the built-in Gmail emulator with a generated mailbox, a temporary data folder, and
// a config pointing the app at both. Used by `mailmirror demo` and `mailmirror serve --demo`.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../../emulator';
import type { AppConfig } from '../config';

export const DEMO_ACCOUNT = 'demo@mailmirror.test';

export type DemoBackend = {
  config: AppConfig;
  emulator: Emulator;
  /**
   * Answers the emulator's consent page for the demo account: pass it as the core's `demo.consent`, and the core's
   * own connect flow (the real OAuth installed-app flow) connects the demo account.
   */
  consent(url: string): void;
  close(): Promise<void>;
};

/**
 * The demo's Gmail: the 2026 quota (6,000 units/min) scaled up so a few thousand messages take about a minute —
 * a full copy costs one messages.get (20 units) a message, so ×12 is ~60 messages a second.
 */
export const DEMO_QUOTA_SCALE = 12;

export async function startDemoBackend(
  base: AppConfig,
  opts: { messages: number; quotaScale: number; keepDataDir?: boolean; dataDir?: string },
): Promise<DemoBackend> {
  // A given folder (the desktop app's <data>/demo) is kept; a temporary one goes with close().
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'mailmirror-demo-'));
  if (opts.dataDir) mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // Gmail's 2026 quota, scaled (DEMO_QUOTA_SCALE), with latency.
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
    consent(url) {
      void fetch(url).catch(() => undefined);
    },
    async close() {
      await emulator.close();
      if (!opts.keepDataDir && !opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
