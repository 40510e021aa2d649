// Issue 13 in Chromium: a mirror a Gmail user can live in with Gmail gone. `mailmirror serve` syncs a mailbox of the
// emulator (an HTML message with an inline cid: picture, a PDF and a remote tracker; a message whose attachment is
// over the size cap), then the emulator stops. Still: the inline picture renders inside the message frame (and
// nothing remote loads), the kept attachment opens, View original shows the source, Save as .eml gives the bytes
// Gmail's format=raw gives, Export account… writes an mbox of every message — and what is over the cap says, in
// plain words, that it needs Gmail.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, BrowserContext, Download, Page } from 'playwright-core';
import { afterAll, describe, expect } from 'vitest';
import type { Emulator, Mailbox } from '../../src/emulator';
import { emulatorEnv, servedUrl, spawnCli, stopCli, until, type RunningCli } from '../helpers/cli';
import { launchChromium } from '../helpers/chromium';
import { mirrorTest } from '../helpers/fixtures';
import { gradientPng, noisePng } from '../helpers/png';
import { startTestRedis, type TestRedis } from '../helpers/redis';
import { ensureRendererBuilt } from '../helpers/renderer-host';
import { connect } from '../integration/emulator-helpers';

const SHOTS = join(process.cwd(), 'test-artifacts', 'screenshots');
const EMAIL = 'ada.offline@example.com';
const LOGO = gradientPng(96, 64);
/** A small PDF-like attachment, kept offline (under the cap). */
const REPORT = Buffer.from('%PDF-1.4\n% Quarterly figures\n' + 'line of the report\n'.repeat(400) + '%%EOF\n');
/** Over the 1 MB cap the test sets: not kept, fetched from Gmail when opened. */
const BIG_PHOTO = noisePng(700, 600, 13);

function launchMime(trackerUrl: string): string {
  return [
    'From: "Grace Hopper" <grace@navy.example>',
    `To: ${EMAIL}`,
    'Subject: Launch photos and the report',
    'Date: Mon, 02 Jun 2025 09:00:00 +0000',
    'Message-ID:',
    ' <launch-2025@navy.example>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="mixed"',
    '',
    '--mixed',
    'Content-Type: multipart/related; boundary="rel"',
    '',
    '--rel',
    'Content-Type: text/html; charset=utf-8',
    '',
    '<html><body><p>The launch went well; our logo is below.</p>',
    '<p><img id="logo" src="cid:logo-1@navy.example" alt="Logo" width="96" height="64"></p>',
    `<p><img id="tracker" src="${trackerUrl}" alt="" width="1" height="1"></p>`,
    '</body></html>',
    '--rel',
    'Content-Type: image/png; name="logo.png"',
    'Content-Disposition: inline; filename="logo.png"',
    'Content-ID: <logo-1@navy.example>',
    'Content-Transfer-Encoding: base64',
    '',
    LOGO.toString('base64').replace(/.{76}/g, '$&\r\n'),
    '--rel--',
    '--mixed',
    'Content-Type: application/pdf; name="report.pdf"',
    'Content-Disposition: attachment; filename="report.pdf"',
    'Content-Transfer-Encoding: base64',
    '',
    REPORT.toString('base64').replace(/.{76}/g, '$&\r\n'),
    '--mixed--',
    '',
  ].join('\r\n');
}

function bigMime(): string {
  return [
    'From: "Katherine Johnson" <kj@nasa.example>',
    `To: ${EMAIL}`,
    'Subject: The full-resolution scan',
    'Date: Tue, 03 Jun 2025 10:00:00 +0000',
    'Message-ID: <scan-2025@nasa.example>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b"',
    '',
    '--b',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'The scan is attached, at full resolution.',
    '--b',
    'Content-Type: image/png; name="scan.png"',
    'Content-Disposition: attachment; filename="scan.png"',
    'Content-Transfer-Encoding: base64',
    '',
    BIG_PHOTO.toString('base64').replace(/.{76}/g, '$&\r\n'),
    '--b--',
    '',
  ].join('\r\n');
}

const it = mirrorTest({ tempPrefix: 'mm-e2e-copies-' });

describe('full copies: the mirror with Gmail stopped', () => {
  let emu: Emulator;
  let mailbox: Mailbox;
  let redis: TestRedis;
  let serve: RunningCli;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let trackerServer: Server;
  const trackerHits: string[] = [];
  /** Every URL the page and its frames loaded over the network. */
  const requests: string[] = [];
  let home: string;
  let launchId: string;
  let bigId: string;
  /** What Gmail's messages.get?format=raw gives for the launch message. */
  let launchRaw: Buffer;

  it.beforeAll(async ({ emu: fileEmulator, fileDir }) => {
    ensureRendererBuilt();
    mkdirSync(SHOTS, { recursive: true });
    trackerServer = createServer((req, res) => {
      trackerHits.push(req.url ?? '');
      res.writeHead(200, { 'Content-Type': 'image/png' }).end(LOGO);
    });
    await new Promise<void>((ok) => trackerServer.listen(0, '127.0.0.1', ok));
    const trackerUrl = `http://127.0.0.1:${(trackerServer.address() as AddressInfo).port}/open.png`;

    emu = fileEmulator;
    mailbox = emu.addAccount(EMAIL, { messages: 24, seed: 31 });
    launchId = mailbox.addMessage({ labelIds: ['INBOX', 'UNREAD'], raw: launchMime(trackerUrl) });
    bigId = mailbox.addMessage({ labelIds: ['INBOX'], raw: bigMime() });
    emu.setConsentAccount(EMAIL);
    const gmail = (await connect(emu, { loginHint: EMAIL })).gmail;
    const raw = (await gmail.users.messages.get({ userId: 'me', id: launchId, format: 'raw' })).data.raw ?? '';
    launchRaw = Buffer.from(raw, 'base64url');

    // The user keeps attachments up to 1 MB: the scan (about 1.3 MB) stays in Gmail.
    home = join(fileDir, 'home');
    const dataDir = join(fileDir, 'data');
    mkdirSync(home, { recursive: true });
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'settings.json'), JSON.stringify({ keepOriginals: 'capped', attachmentCapMb: 1, conversations: false }));
    redis = await startTestRedis();
    serve = spawnCli(
      ['serve', '--port', '0'],
      emulatorEnv(emu, dataDir, { REDIS_URL: redis.url, MAILMIRROR_QUEUE_PREFIX: `copies${process.pid}`, HOME: home }),
      { from: 'source' },
    );
    const url = await servedUrl(serve);
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true, colorScheme: 'light' });
    context.on('requestfinished', (r) => requests.push(r.url()));
    page = await context.newPage();

    await page.goto(url);
    await page.getByTestId('welcome').waitFor();
    const [consent] = await Promise.all([context.waitForEvent('page'), page.getByTestId('connect-gmail').click()]);
    await consent.waitForLoadState();
    await page.getByTestId('mailbox').waitFor({ timeout: 60_000 });
    await consent.close();
    const bar = page.getByRole('progressbar');
    await until(async () => (await bar.getAttribute('aria-valuenow')) === '100', 180_000, 'the first sync reaching 100%');
    await until(async () => (await page.getByTestId('sync-phase').textContent()) === 'Up to date', 60_000, 'the sync panel saying Up to date');

    // Gmail goes away; the page starts afresh on the mirror alone.
    await emu.close();
    requests.length = 0;
    await page.reload();
    await page.getByTestId('mailbox').waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await stopCli(serve);
    await redis?.stop();
    await new Promise<void>((ok) => (trackerServer ? trackerServer.close(() => ok()) : ok()));
  });

  const open = async (gmailId: string) => {
    const row = page.locator(`[data-testid="message-row"][data-message-id="${gmailId}"]`);
    await row.waitFor();
    await row.click();
    await expect.poll(() => page.getByTestId('message-view').getAttribute('data-message-id')).toBe(gmailId);
  };
  const bytesOf = async (d: Download) => readFileSync(await d.path());
  const shot = async (name: string) => {
    await page.screenshot({ path: join(SHOTS, `${name}.png`) });
  };
  const inTheme = async (scheme: 'light' | 'dark', fn: () => Promise<void>) => {
    await page.emulateMedia({ colorScheme: scheme });
    // The theme's colours ease in (0.12 s transitions): shoot what the user then sees.
    await page.waitForTimeout(300);
    try {
      await fn();
    } finally {
      await page.emulateMedia({ colorScheme: 'light' });
    }
  };

  it('shows the inline picture inside the message, loads nothing remote, and does not list it again', async () => {
    await open(launchId);
    const logo = page.frameLocator('[data-testid="message-frame"]').locator('#logo');
    await expect.poll(() => logo.evaluate((img) => (img as HTMLImageElement).naturalWidth), { timeout: 10_000 }).toBe(96);
    expect(await logo.evaluate((img) => (img as HTMLImageElement).naturalHeight)).toBe(64);
    // The tracker is blocked until asked for, and the picture came from the mirror, not from a request.
    await expect.poll(() => page.getByTestId('remote-images-banner').isVisible()).toBe(true);
    await page.waitForTimeout(300);
    expect(trackerHits).toEqual([]);
    expect(requests.filter((u) => !u.startsWith(new URL(page.url()).origin))).toEqual([]);
    // One attachment: the report. The logo is in the message already.
    await expect.poll(() => page.getByTestId('attachment').count()).toBe(1);
    expect(await page.getByTestId('attachment').textContent()).toContain('report.pdf');
    expect(await page.getByTestId('attachment').getAttribute('data-offline')).toBe('true');
    await shot('13-copies-inline-image');
  });

  it('opens the kept attachment with Gmail stopped', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('attachment').click()]);
    expect(download.suggestedFilename()).toBe('report.pdf');
    expect((await bytesOf(download)).equals(REPORT)).toBe(true);
    expect(await page.getByTestId('attachment-error').count()).toBe(0);
  });

  it('View original shows the source, with the header block read from it', async () => {
    await page.getByTestId('message-more').click();
    await page.getByRole('menuitem', { name: 'View original' }).click();
    const dialog = page.getByTestId('original-dialog');
    const source = page.getByTestId('original-source');
    await source.waitFor();
    const text = (await source.textContent()) ?? '';
    expect(text).toContain('Subject: Launch photos and the report');
    expect(text).toContain('Content-ID: <logo-1@navy.example>');
    expect(text.replace(/\r\n/g, '\n')).toBe(launchRaw.toString('utf8').replace(/\r\n/g, '\n'));
    const head = page.getByTestId('original-head');
    // Message-ID was folded onto a second line in the source: the header block joins it.
    expect(await head.locator('tr', { hasText: 'Message ID' }).locator('td').textContent()).toBe('<launch-2025@navy.example>');
    expect(await head.locator('tr', { hasText: 'Subject' }).locator('td').textContent()).toBe('Launch photos and the report');
    // Created at is when the sender wrote it (its Date header), as in Gmail, not when the mirror received it.
    expect(await head.locator('tr', { hasText: 'Created at' }).locator('td').textContent()).toContain('Jun 2, 2025');
    expect(await page.getByTestId('original-truncated').count()).toBe(0);
    // The source is one keyboard stop, so it scrolls by keyboard too.
    expect(await source.getAttribute('tabindex')).toBe('0');
    await page.waitForTimeout(250);
    await shot('13-copies-view-original-light');
    await inTheme('dark', () => shot('13-copies-view-original-dark'));

    // Download original gives the bytes as Save as .eml does.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('original-download').click()]);
    expect(download.suggestedFilename()).toMatch(/\.eml$/);
    expect((await bytesOf(download)).equals(launchRaw)).toBe(true);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  it('Save as .eml downloads exactly what Gmail’s format=raw gives', async () => {
    await page.getByTestId('message-more').click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('menuitem', { name: 'Save as .eml' }).click()]);
    expect(download.suggestedFilename()).toBe('Launch photos and the report.eml');
    const bytes = await bytesOf(download);
    expect(bytes.length).toBe(launchRaw.length);
    expect(bytes.equals(launchRaw)).toBe(true);
  });

  it('says in plain words that an attachment over the cap needs Gmail', async () => {
    await open(bigId);
    const scan = page.getByTestId('attachment');
    await expect.poll(() => scan.getAttribute('data-offline')).toBe('false');
    expect(await scan.getByTestId('attachment-remote').textContent()).toBe('download');
    // Not fetched for a thumbnail either: it keeps its icon.
    expect(await page.getByTestId('attachment-preview').count()).toBe(0);
    await scan.click();
    const error = page.getByTestId('attachment-error');
    await error.waitFor({ timeout: 30_000 });
    expect(await error.getAttribute('data-error-code')).toBe('OFFLINE');
    const words = (await error.getByTestId('error-text').textContent()) ?? '';
    expect(words).toContain('not kept offline, and Gmail cannot be reached');
    expect(words).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|http/);
    await shot('13-copies-attachment-needs-gmail');

    // Its original is not whole in the mirror either: the menu says so, and Save as .eml explains why it cannot.
    await page.getByTestId('message-more').click();
    expect(await page.getByTestId('message-menu-remote').textContent()).toContain('Not kept offline');
    await page.getByRole('menuitem', { name: 'Save as .eml' }).click();
    const saveError = page.getByTestId('save-eml-error');
    await saveError.waitFor({ timeout: 30_000 });
    expect(await saveError.locator('[data-error-code]').getAttribute('data-error-code')).toBe('OFFLINE');
    expect(await saveError.getByTestId('error-text').textContent()).toContain('not kept offline, and Gmail cannot be reached');
    await shot('13-copies-save-eml-needs-gmail');
    await page.keyboard.press('Escape');
    await saveError.waitFor({ state: 'detached' });
  });

  it('keeps the choice of offline copies in Settings', async () => {
    await page.getByTestId('open-settings').click();
    const offline = page.getByTestId('setting-offline');
    await offline.waitFor();
    expect(await page.getByTestId('setting-keep-capped').isChecked()).toBe(true);
    expect(await page.getByTestId('setting-cap-mb').inputValue()).toBe('1');
    const cap = page.getByTestId('setting-cap-mb');
    await cap.fill('2000');
    expect(await page.getByTestId('setting-cap-hint').textContent()).toBe('A whole number from 1 to 1000.');
    await cap.fill('250');
    await cap.press('Enter');
    await offline.scrollIntoViewIfNeeded();
    await page.waitForTimeout(250);
    await shot('13-copies-settings-light');
    await inTheme('dark', () => shot('13-copies-settings-dark'));
    await page.getByTestId('setting-keep-all').check();
    await page.keyboard.press('Escape');
    // Read back from the core: the choice was saved.
    await page.getByTestId('open-settings').click();
    await offline.waitFor();
    await expect.poll(() => page.getByTestId('setting-keep-all').isChecked()).toBe(true);
    expect(await page.getByTestId('setting-cap-mb').inputValue()).toBe('250');
    await page.keyboard.press('Escape');
  });

  it('in a conversation, each message has its own More menu; clicks in View original leave the message open', async () => {
    await page.getByTestId('open-settings').click();
    await page.getByTestId('setting-conversations').click();
    await page.keyboard.press('Escape');
    const thread = mailbox.groundTruth().messages.find((m) => m.id === launchId)?.threadId ?? '';
    await page.locator(`[data-testid="message-row"][data-thread-id="${thread}"]`).click();
    const message = page.locator(`[data-testid="conversation-message"][data-message-id="${launchId}"]`);
    await expect.poll(() => message.getAttribute('data-expanded')).toBe('true');
    await message.getByTestId('message-more').click();
    // The menu is reachable by keyboard: its first item has focus, arrows move.
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('View original');
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Save as .eml');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Enter');
    const source = page.getByTestId('original-source');
    await source.waitFor();
    await source.click();
    expect(await source.textContent()).toContain('Subject: Launch photos and the report');
    await page.keyboard.press('Escape');
    await page.getByTestId('original-dialog').waitFor({ state: 'detached' });
    expect(await message.getAttribute('data-expanded')).toBe('true');
    // Focus is back on the message's More button.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('message-more');
  });

  it('Export account… writes an mbox of every message, and says which it could not include', async () => {
    await page.getByTestId('account-current').click();
    await page.getByRole('menuitem', { name: 'Export account…' }).click();
    const dialog = page.getByTestId('export-dialog');
    await dialog.waitFor();
    const path = page.getByTestId('export-path');
    // The core proposes a file in the user's folders (HOME is the test's).
    await expect.poll(() => path.inputValue()).toMatch(/\.mbox$/);
    expect((await path.inputValue()).startsWith(home)).toBe(true);
    // Keyboard: the format is a radio group, the path a labelled field.
    expect(await page.getByRole('radio', { name: /One mbox file/ }).isChecked()).toBe(true);
    expect(await page.getByRole('textbox', { name: 'Save to file' }).count()).toBe(1);
    await page.waitForTimeout(250);
    await shot('13-copies-export-dialog-light');
    await inTheme('dark', () => shot('13-copies-export-dialog-dark'));

    const out = join(home, 'ada.mbox');
    await path.fill(out);
    await page.getByTestId('export-run').click();
    const result = page.getByTestId('export-result');
    await result.waitFor({ timeout: 60_000 });
    const total = mailbox.groundTruth().messages.length;
    // The scan's original is not whole in the mirror and Gmail is gone: left out, and said.
    expect(await page.getByTestId('export-count').textContent()).toContain(`Exported ${total - 1} messages`);
    expect(await page.getByTestId('export-where').textContent()).toBe(out);
    expect(await page.getByTestId('export-skipped').textContent()).toMatch(/^1 message was left out/);
    await shot('13-copies-export-result-light');
    await inTheme('dark', () => shot('13-copies-export-result-dark'));

    const mbox = readFileSync(out);
    const fromLines = mbox.toString('latin1').split('\n').filter((l) => l.startsWith('From '));
    expect(fromLines).toHaveLength(total - 1);
    expect(mbox.includes(launchRaw.subarray(0, 200))).toBe(true);

    // A second export to the same file is refused in plain words until "Replace if it exists" is ticked.
    await page.getByTestId('export-run').click();
    const refused = page.getByTestId('export-error');
    await refused.waitFor();
    expect(await refused.getAttribute('data-error-code')).toBe('INVALID_REQUEST');
    // The core's own sentence (written for the user), naming the file and the way out; nothing under Details.
    expect(await refused.getByTestId('error-text').textContent()).toContain(out);
    expect(await refused.getByTestId('error-text').textContent()).toMatch(/replace/i);
    expect(await refused.locator('details').count()).toBe(0);
    await shot('13-copies-export-refused');
    await page.getByTestId('export-force').check();
    await page.getByTestId('export-run').click();
    await result.waitFor();
    expect(await page.getByTestId('export-count').textContent()).toContain(`Exported ${total - 1} messages`);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });
});
