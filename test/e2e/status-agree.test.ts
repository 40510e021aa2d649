// One status projection (src/main/sync/status.ts): for the same store, `mailmirror status --json` and the
// app's window show the same numbers. The store is left half-synced (the sync killed mid-way), Gmail is
// then gone so nothing moves, and the CLI's figures are compared with what the window shows.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator';
import { addAccount, assertBuilt, emulatorEnv, runCli, servedUrl, spawnCli, tempDir, until, type CliEnv, type RunningCli } from '../helpers/cli';
import { launchChromium } from '../helpers/chromium';
import { startTestRedis, type TestRedis } from '../helpers/redis';
import { progressOf } from '../chaos/chaos-helpers';

type StatusEntry = { email: string; phase: string; processed: number; total: number; percent: number };

describe('status: the CLI and the window agree', () => {
  let emu: Emulator | null = null;
  let redis: TestRedis;
  const data = tempDir('mm-status-');
  let env: CliEnv;
  let serve: RunningCli | null = null;
  let browser: Browser | null = null;

  beforeAll(async () => {
    assertBuilt();
    // Slow enough to stop half-way: Gmail's 2026 quota, unscaled (~25 messages/s).
    emu = await startEmulator({ quota: { profile: '2026', scale: 1 } });
    emu.addAccount('half@example.com', { messages: 1500, seed: 77 });
    redis = await startTestRedis();
    env = emulatorEnv(emu, data.dir, { REDIS_URL: redis.url, MAILMIRROR_QUEUE_PREFIX: `agree${process.pid}` });
  });

  afterAll(async () => {
    await browser?.close();
    serve?.proc.kill('SIGTERM');
    await serve?.result;
    await emu?.close();
    await redis?.stop();
    data.cleanup();
  });

  it('shows the same processed, total and percent for a half-synced mirror', { timeout: 240_000 }, async () => {
    expect((await addAccount(env)).code).toBe(0);
    const sync = spawnCli(['sync', '--wait'], env);
    const progress = progressOf(data.dir);
    await until(() => progress().fetched >= 60, 120_000, 'some messages mirrored');
    sync.proc.kill('SIGKILL');
    await sync.result;
    await emu!.close();
    emu = null;

    const cli = JSON.parse((await runCli(['status', '--json'], env)).stdout) as StatusEntry[];
    expect(cli).toHaveLength(1);
    const [entry] = cli;
    expect(entry.processed).toBeGreaterThan(0);
    expect(entry.processed).toBeLessThan(entry.total);
    expect(entry.phase).toBe('fetching');

    serve = spawnCli(['serve', '--port', '0'], env);
    const url = await servedUrl(serve);
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(url);
    const bar = page.getByTestId('sync-progress');
    await bar.waitFor();
    // Gmail is gone: the window may say so, but the figures are the store's, the same as the CLI's.
    const count = (n: number) => n.toLocaleString('en-US');
    await expect.poll(() => bar.getAttribute('aria-valuetext'), { timeout: 20_000 }).toBe(`${count(entry.processed)} of ${count(entry.total)} messages`);
    expect(await bar.getAttribute('aria-valuenow')).toBe(String(Math.floor(entry.percent)));
    expect(await page.getByTestId('sync-percent').textContent()).toBe(`${Math.floor(entry.percent)}%`);

    // And the CLI, asked again while the window is open, still says the same.
    const again = JSON.parse((await runCli(['status', '--json'], env)).stdout) as StatusEntry[];
    expect(again.map(({ processed, total, percent }) => ({ processed, total, percent }))).toEqual([
      { processed: entry.processed, total: entry.total, percent: entry.percent },
    ]);
  });
});
