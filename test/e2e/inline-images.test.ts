// Inline pictures (issue 13): the core hands the reader a message's HTML with its cid: pictures as data: URLs of the
// stored images. In Chromium, through the sanitizer and the message frame's policy: those pictures draw (a small one
// and a photo of several MB), in the single-message frame and in a conversation's fitted frame, while every remote
// load stays blocked until the user allows it — and data: URLs that are not pictures are dropped.
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveMessageDetails } from '../../src/main/db';
import type { BrowserHost } from '../../src/main/host/browser-host';
import type { IpcRouter } from '../../src/main/ipc/router';
import { launchChromium } from '../helpers/chromium';
import { createHarness, seedMailbox, type Harness, type Seeded } from '../helpers/ipc-harness';
import { parsedMessage } from '../helpers/parsed-message';
import { gradientPng, noisePng } from '../helpers/png';
import { closeServed, ensureRendererBuilt, serveHarness } from '../helpers/renderer-host';

const SHOTS = join(process.cwd(), 'test-artifacts', 'screenshots');

let h: Harness;
let router: IpcRouter;
let host: BrowserHost;
let browser: Browser;
let page: Page;
let seeded: Seeded;
let server: Server;
let remote: string;
const hits: string[] = [];

const SMALL = gradientPng(96, 64);
/** About 3.3 MB: a photo pasted into a mail (its data: URL is 4.4 million characters). */
const PHOTO = noisePng(1100, 1000, 7);
const dataUrl = (png: Buffer) => `data:image/png;base64,${png.toString('base64')}`;
const SVG = `data:image/svg+xml;base64,${Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="30"><rect width="40" height="30" fill="#36c"/></svg>').toString('base64')}`;

function html(): string {
  return `<html><head><style>.hero { background: url(${remote}/css-bg.png) }</style></head><body>
<p>Our new logo, and a photo from the launch:</p>
<p><img id="small" src="${dataUrl(SMALL)}" alt="Logo"></p>
<p><img id="photo" src="${dataUrl(PHOTO)}" alt="Photo" style="width: 300px"></p>
<p><img id="svg" src="${SVG}" alt="Badge"></p>
<p><img id="missing" src="cid:not-kept@example.com" alt="(picture not kept)"></p>
<p><img id="html-data" src="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==" alt="x"></p>
<div class="hero">A hero banner</div>
<p><img id="tracker" src="${remote}/tracker.png" alt="" width="1" height="1"></p>
</body></html>`;
}

const natural = (id: string) =>
  page
    .frameLocator('[data-testid="message-frame"]')
    .locator(`#${id}`)
    .evaluate((img) => (img as HTMLImageElement).naturalWidth);

beforeAll(async () => {
  ensureRendererBuilt();
  mkdirSync(SHOTS, { recursive: true });
  server = createServer((req, res) => {
    hits.push(req.url ?? '');
    res.writeHead(200, { 'Content-Type': 'image/png' }).end(SMALL);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  remote = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  h = await createHarness();
  seeded = await seedMailbox(h, { count: 4 });
  const at = Date.UTC(2025, 5, 3, 12, 0, 0);
  saveMessageDetails(
    h.db,
    seeded.accountId,
    [
      parsedMessage('inline01', { threadId: 'tinline', from: '"Grace Hopper" <grace@navy.example>', labelIds: ['INBOX', 'UNREAD'], internalDate: at, subject: 'Launch pictures', htmlBody: html(), textBody: null }),
      parsedMessage('inline02', {
        from: 'Ada Lovelace <ada@engines.example>',
        threadId: 'tinline',
        labelIds: ['INBOX'],
        internalDate: at + 60_000,
        subject: 'Re: Launch pictures',
        htmlBody: `<p>Lovely. Here is ours:</p><p><img id="small" src="${dataUrl(SMALL)}" alt="Logo"></p>`,
        textBody: null,
      }),
    ],
    { insertMissing: true },
  );
  ({ router, host } = await serveHarness(h));
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  await page.goto(host.url);
  await page.getByTestId('mailbox').waitFor();
});

afterAll(async () => {
  await closeServed({ browser, host, router, h });
  await new Promise<void>((ok) => (server ? server.close(() => ok()) : ok()));
});

describe('inline pictures in the message frame', () => {
  it('draws data: pictures, small and large, while remote images stay blocked', async () => {
    await page.locator('[data-testid="message-row"][data-message-id="inline01"]').click();
    await page.getByTestId('message-frame').waitFor();
    await expect.poll(() => natural('small'), { timeout: 10_000 }).toBe(96);
    await expect.poll(() => natural('photo'), { timeout: 10_000 }).toBe(1100);
    await expect.poll(() => natural('svg')).toBe(40);
    await page.screenshot({ path: join(SHOTS, '13-inline-pictures.png') });
    await expect.poll(() => page.getByTestId('remote-images-banner').isVisible()).toBe(true);
    // A picture that is not kept draws nothing (and asks nobody for it); a data: document is not a picture.
    expect(await natural('missing')).toBe(0);
    const srcdoc = (await page.getByTestId('message-frame').getAttribute('srcdoc')) ?? '';
    expect(srcdoc).not.toContain('data:text/html');
    await page.waitForTimeout(500);
    expect(hits).toEqual([]);
  });

  it('draws them in a conversation’s fitted frames too', async () => {
    await page.getByTestId('open-settings').click();
    await page.getByTestId('setting-conversations').click();
    await page.keyboard.press('Escape');
    // Both open: the first is unread, the second the newest.
    const row = page.locator('[data-testid="message-row"][data-thread-id="tinline"]');
    await row.click();
    await page.getByTestId('conversation-view').waitFor();
    const frames = page.locator('[data-testid="message-frame"]');
    await expect.poll(() => frames.count()).toBe(2);
    for (const i of [0, 1]) {
      const small = frames.nth(i).contentFrame().locator('#small');
      await expect.poll(() => small.evaluate((img) => (img as HTMLImageElement).naturalWidth), { timeout: 10_000 }).toBe(96);
    }
    expect(hits).toEqual([]);
    await page.screenshot({ path: join(SHOTS, '13-inline-pictures-conversation.png') });
  });

  it('loads the remote ones only once allowed (the blocking is what kept them out)', async () => {
    await page.getByTestId('load-remote-images').first().click();
    await expect.poll(() => hits.some((u) => u.startsWith('/tracker.png')), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => hits.some((u) => u.startsWith('/css-bg.png')), { timeout: 10_000 }).toBe(true);
  });
});
