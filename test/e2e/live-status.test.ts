// The window tells the truth live (issue 15): an account connected with `account add` starts syncing on its own once
// `serve` runs; with a window open, Gmail going away shows "Offline" within 5 s without a reload and the sync resumes
// when it is back; Gmail answering every request with HTTP 500 shows trouble, never "Up to date"; "Sync now" shows
// that it started. Gmail sits behind a TCP proxy the test can cut and restore (the emulator keeps its state).
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator';
import { addAccount, assertBuilt, emulatorEnv, servedUrl, spawnCli, stopCli, tempDir, until, type CliEnv, type RunningCli } from '../helpers/cli';
import { launchChromium } from '../helpers/chromium';
import { startTestRedis, type TestRedis } from '../helpers/redis';

/** A TCP proxy to `target` on a port of its own, which can refuse connections (Gmail gone) and come back. */
class CuttableProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly target: number) {}

  async open(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.target, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((ok) => server.listen(this.port, '127.0.0.1', ok));
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  /** Connections are refused and the open ones dropped, as when Gmail cannot be reached. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    const closed = new Promise<void>((ok) => server.close(() => ok()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}

describe('the window tells the truth live', () => {
  let emu: Emulator;
  let proxy: CuttableProxy;
  let redis: TestRedis;
  const data = tempDir('mm-live-');
  let env: CliEnv;
  let serve: RunningCli | null = null;
  let browser: Browser | null = null;
  let page: Page;

  beforeAll(async () => {
    assertBuilt();
    // Gmail's 2026 quota ×3, the app pacing to the same: slow enough for the sync to be under way when Gmail goes.
    emu = await startEmulator({ quota: { profile: '2026', scale: 3 } });
    emu.addAccount('live@example.com', { messages: 700, seed: 15 });
    proxy = new CuttableProxy(Number(new URL(emu.url).port));
    await proxy.open();
    const via = (u: string) => u.replace(emu.url, `http://127.0.0.1:${proxy.port}`);
    const endpoints = { ...emu, gmailApiUrl: via(emu.gmailApiUrl), clientId: emu.clientId, clientSecret: emu.clientSecret,
      oauth: { ...emu.oauth, authUrl: via(emu.oauth.authUrl), tokenUrl: via(emu.oauth.tokenUrl), revokeUrl: via(emu.oauth.revokeUrl) } };
    redis = await startTestRedis();
    env = emulatorEnv(endpoints, data.dir, { REDIS_URL: redis.url, MAILMIRROR_QUEUE_PREFIX: `live${process.pid}`, MAILMIRROR_QUOTA_SCALE: '3' });
  });

  afterAll(async () => {
    await browser?.close();
    if (serve) await stopCli(serve);
    await proxy?.cut();
    await emu?.close();
    await redis?.stop();
    data.cleanup();
  });

  const phase = () => page.getByTestId('sync-panel').getAttribute('data-phase');
  const title = () => page.getByTestId('sync-phase').textContent();

  it('starts syncing an account added with `account add` once serve runs', { timeout: 120_000 }, async () => {
    expect((await addAccount(env)).code).toBe(0);
    serve = spawnCli(['serve', '--port', '0'], env);
    const url = await servedUrl(serve);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(url);
    await page.getByTestId('sync-panel').waitFor();
    // Nothing asked for it: start-up found the never-synced account in the store and began.
    await expect.poll(phase, { timeout: 60_000 }).toMatch(/^(listing|fetching)$/);
    const bar = page.getByTestId('sync-progress');
    await expect.poll(async () => Number(/^([\d,]+) of/.exec((await bar.getAttribute('aria-valuetext')) ?? '')?.[1]?.replace(/,/g, '') ?? 0), { timeout: 60_000 }).toBeGreaterThan(0);
  });

  it('says "Offline" within 5 s of Gmail going away, without a reload, and resumes when it is back', { timeout: 180_000 }, async () => {
    await proxy.cut();
    const cutAt = Date.now();
    await until(async () => (await title()) === 'Offline — will retry', 10_000, 'the window to say Offline');
    const took = Date.now() - cutAt;
    console.log(`offline shown ${took} ms after Gmail went away`);
    expect(took).toBeLessThan(5_000);
    expect(await phase()).toBe('error');

    await proxy.open();
    // Back: the sync goes on by itself and ends up to date (no reload, no click).
    const back = Date.now();
    await until(async () => (await title()) !== 'Offline — will retry', 30_000, 'the window to leave Offline');
    console.log(`offline gone ${Date.now() - back} ms after Gmail came back`);
    await until(async () => (await phase()) === 'idle', 120_000, 'the sync to finish');
    console.log(`up to date ${Date.now() - back} ms after Gmail came back`);
    expect(await title()).toBe('Up to date');
  });

  it('shows trouble, not "Up to date", while Gmail answers every request with HTTP 500; Sync now shows it started', { timeout: 120_000 }, async () => {
    emu.setFaults({ rate: 1, seed: 7, kinds: ['500'] });
    await page.getByTestId('sync-now').click({ timeout: 5_000 });
    // The click shows at once that a sync started.
    await until(async () => (await phase()) === 'incremental', 3_000, 'Sync now to show it started');
    await until(async () => (await title()) === 'Gmail is having trouble — will retry', 20_000, 'the trouble to show');
    expect(await phase()).toBe('error');
    // It stays so while the errors last (never "Up to date").
    for (let i = 0; i < 6; i++) {
      await page.waitForTimeout(500);
      expect(await title()).not.toBe('Up to date');
    }
    // Retry while it still fails: it starts a pass at once, which fails again, and the trouble stays.
    await page.getByTestId('sync-retry').click({ timeout: 5_000 });
    await until(async () => (await title()) === 'Gmail is having trouble — will retry', 20_000, 'the trouble to stay after Retry');
    // Gmail answers again: the window finds out by itself (the live probe), no click needed.
    emu.setFaults(undefined);
    await until(async () => (await title()) === 'Up to date', 60_000, 'the window to be up to date again');
  });
});
