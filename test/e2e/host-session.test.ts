// The browser host as another local service would meet it (issue: the UI's secret must not leak to
// other services on 127.0.0.1). `mailmirror serve` is opened in Chromium from its printed link, then
// the user visits a page of another server on 127.0.0.1 (run by this test, recording every request),
// reloads Mailmirror, and visits that page again. That server must see no token, session or cookie of
// Mailmirror; a client knowing only what it saw gets nothing; Chromium's own history holds no
// reusable secret; Bull Board works with the session and shows nothing without it.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, describe, expect } from 'vitest';
import WebSocket from 'ws';
import { assertBuilt, emulatorEnv, servedUrl, spawnCli, stopCli, type RunningCli } from '../helpers/cli';
import { mirrorTest } from '../helpers/fixtures';
import { CHROMIUM_ARGS } from '../helpers/chromium';
import { withRawSqlite } from '../helpers/raw-sqlite';
import { startTestRedis, type TestRedis } from '../helpers/redis';

const SHOTS = join(process.cwd(), 'test-artifacts', 'screenshots');

const it = mirrorTest({ tempPrefix: 'mm-e2e-session-' });
let redis: TestRedis;
let serve: RunningCli;
let url: string;
let origin: string;
let profile: string;
let context: BrowserContext;
let page: Page;
let other: Server;
let otherOrigin: string;
const seen: { url: string; headers: IncomingHttpHeaders }[] = [];

async function post(path: string, body: unknown): Promise<number> {
  const r = await fetch(`${origin}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', Origin: origin }, body: JSON.stringify(body) });
  return r.status;
}

/** Opens the IPC WebSocket with a candidate secret every way the host ever accepted one. */
async function wsOpens(secret: string): Promise<boolean> {
  const attempts = [
    () => new WebSocket(`${origin.replace('http', 'ws')}/ipc`, ['mailmirror', `mailmirror.session.${secret}`], { origin }),
    () => new WebSocket(`${origin.replace('http', 'ws')}/ipc?token=${encodeURIComponent(secret)}`, ['mailmirror'], { origin }),
    () => new WebSocket(`${origin.replace('http', 'ws')}/ipc`, ['mailmirror'], { origin, headers: { Cookie: `mailmirror_${new URL(origin).port}=${secret}` } }),
  ];
  for (const open of attempts) {
    const ok = await new Promise<boolean>((resolve) => {
      const ws = open();
      ws.once('open', () => {
        ws.close();
        resolve(true);
      });
      ws.once('error', () => resolve(false));
    });
    if (ok) return true;
  }
  return false;
}

it.beforeAll(async ({ emu, fileDir }) => {
  assertBuilt();
  mkdirSync(SHOTS, { recursive: true });
  redis = await startTestRedis();
  serve = spawnCli(['serve', '--port', '0'], emulatorEnv(emu, fileDir, { REDIS_URL: redis.url, MAILMIRROR_QUEUE_PREFIX: `e2esession${process.pid}` }));
  url = await servedUrl(serve);
  origin = new URL(url).origin;

  other = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    if (req.url === '/favicon.ico') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>Another local service</title><link rel="icon" href="/favicon.ico"><img src="/pixel.png"><p>hello</p>');
  });
  await new Promise<void>((ok) => other.listen(0, '127.0.0.1', ok));
  otherOrigin = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;

  // A real profile on disk, so Chromium's history can be read afterwards.
  profile = mkdtempSync(join(tmpdir(), 'mm-chromium-profile-'));
  context = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, viewport: { width: 1280, height: 800 } });
  page = context.pages()[0] ?? (await context.newPage());
});

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await stopCli(serve);
  await new Promise<void>((ok) => (other ? other.close(() => ok()) : ok()));
  await redis?.stop();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

describe('the browser host’s secret stays with the browser host', () => {
  it('opens from the printed link, then drops the link’s token from the address bar', async () => {
    await page.goto(url);
    await page.getByTestId('welcome').waitFor();
    expect(page.url()).toBe(`${origin}/`);
    expect(await page.evaluate(() => document.cookie)).toBe('');
    const cookies = await context.cookies();
    expect(cookies).toEqual([]);
  });

  it('another service on 127.0.0.1 sees nothing of Mailmirror: navigation, favicon, reload, a second visit', async () => {
    await page.goto(`${otherOrigin}/`);
    await page.getByText('hello').waitFor();
    await page.goto(`${origin}/`); // back to Mailmirror without a link: this origin kept its session
    await page.getByTestId('welcome').waitFor();
    await page.reload();
    await page.getByTestId('welcome').waitFor();
    await page.goto(`${otherOrigin}/again`);
    await page.getByText('hello').waitFor();
    await page.waitForTimeout(300); // the favicon request comes after the page
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(seen.some((r) => r.url === '/favicon.ico')).toBe(true);
    const token = new URL(url).searchParams.get('token')!;
    for (const r of seen) {
      expect(r.headers.cookie, r.url).toBeUndefined();
      const all = JSON.stringify(r);
      expect(all).not.toContain(token);
      expect(all).not.toContain('mailmirror');
      expect(r.headers.referer ?? '', r.url).not.toContain(origin);
    }
    // Whatever that server saw, as a credential, opens nothing.
    const candidates = new Set<string>([token]);
    for (const r of seen) for (const m of JSON.stringify(r).matchAll(/[\w-]{16,}/g)) candidates.add(m[0]);
    for (const c of candidates) {
      expect(await wsOpens(c), c).toBe(false);
      expect(await post('/session', { token: c })).toBe(403);
      expect(await post('/session', { session: c })).toBe(403);
    }
  });

  it('Bull Board works with the session, is read-only, and shows nothing to a browser without one', async () => {
    await page.goto(`${origin}/queues/`);
    await page.getByText('gmail-sync').first().waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(SHOTS, '20-queues-with-session.png') });
    // Its API straight, without the header: refused.
    const api = await fetch(`${origin}/queues/api/queues`, { headers: { Origin: origin } });
    expect(api.status).toBe(403);
    // Read-only unless MAILMIRROR_QUEUES_WRITABLE=1: a clean is refused.
    const clean = await page.evaluate(async () => {
      const r = await fetch('/queues/api/queues/gmail-sync/clean/completed', { method: 'PUT' });
      return r.status;
    });
    expect(clean).toBeGreaterThanOrEqual(400);
  });

  it('a browser given only the used link gets "Open Mailmirror from its link", and no data', async () => {
    const stranger = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    try {
      const p = await (await stranger.newContext({ viewport: { width: 1000, height: 600 } })).newPage();
      await p.goto(url);
      await p.getByTestId('access-denied').waitFor();
      expect(await p.getByTestId('access-denied').textContent()).toMatch(/used already/);
      await p.screenshot({ path: join(SHOTS, '21-used-link.png') });
      await p.goto(`${origin}/queues/`);
      await p.waitForTimeout(1500);
      expect(await p.getByText('gmail-sync').count()).toBe(0);
    } finally {
      await stranger.close();
    }
  });

  it('Chromium’s history holds no reusable secret', async () => {
    await context.close();
    const urls = withRawSqlite(join(profile, 'Default', 'History'), (db) =>
      (db.prepare('SELECT url FROM urls').all() as { url: string }[]).map((r) => r.url));
    expect(urls.some((u) => u.startsWith(origin))).toBe(true);
    for (const u of urls) {
      const t = new URL(u).searchParams.get('token');
      if (t === null) continue;
      expect(await post('/session', { token: t })).toBe(403);
      expect(await wsOpens(t)).toBe(false);
    }
  });
});
