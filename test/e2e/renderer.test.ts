// The real renderer build in Debian's Chromium, through the browser host, over a real store:
// browse a label, read messages, search, keyboard, themes — and a hostile message whose scripts,
// handlers, form, iframe and remote image stay dead until the user allows remote images.
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserHost, type BrowserHost } from '../../src/main/host/browser-host';
import { createRouter, type IpcRouter } from '../../src/main/ipc/router';
import { launchChromium } from '../helpers/chromium';
import { RENDERER, ensureRendererBuilt, serveHarness, closeServed } from '../helpers/renderer-host';
import { saveMessageDetails } from '../../src/main/db';
import { createHarness, seedMailbox, type Harness, type Seeded } from '../helpers/ipc-harness';
import { attachmentIdFor } from '../../src/emulator/gmail-render';
import type { SyncStatus } from '../../src/shared/ipc';

const SHOTS = join(process.cwd(), 'test-artifacts', 'screenshots');

let h: Harness;
let router: IpcRouter;
let host: BrowserHost;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let seeded: Seeded;
let imageServer: Server;
let imageUrl: string;
const imageHits: string[] = [];
/** URLs the page and its frames loaded. */
const requests: string[] = [];


/** A 1×1 PNG, counted: the "remote" image a tracker would serve. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');

beforeAll(async () => {
  ensureRendererBuilt();
  mkdirSync(SHOTS, { recursive: true });
  imageServer = createServer((req, res) => {
    imageHits.push(req.url ?? '');
    res.writeHead(200, { 'Content-Type': 'image/png' }).end(PNG);
  });
  await new Promise<void>((ok) => imageServer.listen(0, '127.0.0.1', ok));
  imageUrl = `http://127.0.0.1:${(imageServer.address() as AddressInfo).port}/remote.png`;

  h = await createHarness();
  seeded = await seedMailbox(h, { count: 2000, remoteImageUrl: imageUrl });
  ({ router, host } = await serveHarness(h));

  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'light' });
  page = await context.newPage();
  // Loads that reached the network (a request Chromium's CSP check stopped ends in requestfailed).
  context.on('requestfinished', (r) => requests.push(r.url()));
  await page.goto(host.url);
  await page.getByTestId('mailbox').waitFor();
  await page.getByTestId('message-row').first().waitFor();
});

afterAll(async () => {
  await closeServed({ browser, host, router, h });
  await new Promise<void>((ok) => (imageServer ? imageServer.close(() => ok()) : ok()));
});

const row = (id: string) => page.locator(`[data-testid="message-row"][data-message-id="${id}"]`);
const label = (id: string) => page.locator(`[data-testid="label-row"][data-label-id="${id}"]`);

describe('renderer in Chromium over the browser host', () => {
  it('opens on the inbox with labels, counts and sync state; the token leaves the address bar', async () => {
    expect(page.url()).toBe(`${host.origin}/`);
    await expect.poll(() => page.getByTestId('list-title').textContent()).toBe('Inbox');
    const inbox = label('INBOX');
    expect(await inbox.getAttribute('data-messages-total')).toBe('2002');
    expect(await inbox.getAttribute('data-local-total')).toBe('2002');
    // Nested user labels form a tree: Work > Projects > Apollo.
    const apollo = label('Label_3');
    await expect.poll(() => apollo.isVisible()).toBe(true);
    expect(await apollo.locator('.nav-name').textContent()).toBe('Apollo');
    expect(await page.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
    expect(await page.getByTestId('sync-phase').textContent()).toBe('Up to date');
    await page.screenshot({ path: join(SHOTS, '01-inbox.png') });
  });

  it('keeps the DOM small at 2,000 messages and loads more by cursor while scrolling', async () => {
    const rendered = await page.getByTestId('message-row').count();
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(60);
    const list = page.getByTestId('message-list');
    for (let i = 0; i < 60 && (await row('m01999').count()) === 0; i++) {
      await list.evaluate((el) => el.scrollTo(0, el.scrollHeight));
      await page.waitForTimeout(100);
    }
    await expect.poll(() => row('m01999').count()).toBe(1);
    expect(await page.getByTestId('message-row').count()).toBeLessThan(60);
    // Another label opens at its newest message, not at the scroll position the Inbox was left at.
    await label('STARRED').click();
    await expect.poll(() => page.getByTestId('list-title').textContent()).toBe('Starred');
    await page.getByTestId('message-row').first().waitFor();
    await page.waitForTimeout(200);
    expect(await page.getByTestId('message-list').evaluate((el) => el.scrollTop)).toBe(0);
    expect(await page.getByTestId('message-row').first().isVisible()).toBe(true);
    await label('INBOX').click();
    await expect.poll(() => page.getByTestId('list-title').textContent()).toBe('Inbox');
    await page.getByTestId('message-row').first().waitFor();
    await page.waitForTimeout(200);
    expect(await page.getByTestId('message-list').evaluate((el) => el.scrollTop)).toBe(0);
  });

  it('opens a label and a plain-text message', async () => {
    await label('Label_4').click();
    await expect.poll(() => page.getByTestId('list-title').textContent()).toBe('Travel');
    await row(seeded.plainId).click();
    const view = page.getByTestId('message-view');
    await expect.poll(() => view.getAttribute('data-message-id')).toBe(seeded.plainId);
    expect(await page.getByTestId('message-subject').textContent()).toBe('Trip to Lisbon — itinerary');
    expect(await page.getByTestId('message-text').textContent()).toContain('Flight TP1234 departs 09:40.');
    expect(await page.getByTestId('message-text').locator('a').getAttribute('href')).toBe('https://travel.example/trip/1');
    await page.screenshot({ path: join(SHOTS, '02-label-plain-message.png') });
  });

  it('shows a hostile message with no script, handler, form or iframe alive and no remote load', async () => {
    await page.evaluate(() => {
      (window as unknown as { __msgs: unknown[] }).__msgs = [];
      window.addEventListener('message', (e) => (window as unknown as { __msgs: unknown[] }).__msgs.push(e.data));
    });
    const before = requests.length;
    await label('INBOX').click();
    await row(seeded.hostileId).click();
    const frameEl = page.getByTestId('message-frame');
    await frameEl.waitFor();
    const body = page.frameLocator('[data-testid="message-frame"]').locator('body');
    await expect.poll(() => body.textContent()).toContain('zeppelin numbers look great');

    // The frame is sandboxed without scripts or same-origin.
    const sandbox = (await frameEl.getAttribute('sandbox')) ?? '';
    expect(sandbox).not.toContain('allow-scripts');
    expect(sandbox).not.toContain('allow-same-origin');
    const srcdoc = (await frameEl.getAttribute('srcdoc')) ?? '';
    expect(srcdoc).toContain("default-src 'none'");
    for (const dead of ['<script', 'onerror', 'onload', '<form', '<iframe', '<input', '<object', 'javascript:']) {
      expect(srcdoc.toLowerCase()).not.toContain(dead);
    }
    // Inline styles survive (mail needs them).
    expect(srcdoc).toContain('.hi { color: #b00');

    await page.waitForTimeout(800);
    const made = requests.slice(before);
    expect(made.filter((u) => !u.startsWith(host.origin) && !u.startsWith('about:') && !u.startsWith('data:'))).toEqual([]);
    expect(imageHits).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { __msgs: unknown[] }).__msgs)).toEqual([]);
    await page.getByTestId('remote-images-banner').waitFor();
    await page.screenshot({ path: join(SHOTS, '03-message-remote-blocked.png') });

    // Allowed by the user: the remote image (and only it) loads; scripts still do not run.
    await page.getByTestId('load-remote-images').click();
    await expect.poll(() => imageHits.length).toBeGreaterThan(0);
    expect(imageHits.every((u) => u.startsWith('/remote.png'))).toBe(true);
    await page.waitForTimeout(500);
    expect(requests.some((u) => u.includes('127.0.0.1:9/'))).toBe(false);
    expect(await page.evaluate(() => (window as unknown as { __msgs: unknown[] }).__msgs)).toEqual([]);
    expect(await page.getByTestId('attachment').textContent()).toContain('report.csv');
  });

  it('downloads an attachment on demand', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('attachment').click()]);
    expect(download.suggestedFilename()).toBe('report.csv');
  });

  it('searches the mirror by a word of a body', async () => {
    await page.keyboard.press('Escape');
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('/');
    await page.keyboard.type('TP1234');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('list-title').textContent()).toContain('TP1234');
    await expect.poll(() => page.getByTestId('message-row').count()).toBe(1);
    expect(await page.getByTestId('message-row').getAttribute('data-message-id')).toBe(seeded.plainId);
    await page.getByTestId('search-input').fill('zeppelin');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('message-row').first().getAttribute('data-message-id')).toBe(seeded.hostileId);
    await page.screenshot({ path: join(SHOTS, '04-search.png') });

    // Gmail's operators, with the exact count and newest first (the seed: sender i % 6, starred when i % 7 === 0).
    const seededIds = Array.from({ length: 2000 }, (_, i) => i);
    const ada = seededIds.filter((i) => i % 6 === 1);
    const adaStarred = ada.filter((i) => i % 7 === 0);
    await page.getByTestId('search-input').fill('from:ada is:starred');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('list-subtitle').textContent()).toBe(`${adaStarred.length} found`);
    const shown = await page.getByTestId('message-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-message-id')));
    expect(shown.slice(0, 5)).toEqual(adaStarred.slice(0, 5).map((i) => `m${String(i).padStart(5, '0')}`));
    await page.getByTestId('search-input').fill('from:ada');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('list-subtitle').textContent()).toBe(`${ada.length} found`);
    // A query it cannot read says which part and what would be understood, in place of the list.
    await page.getByTestId('search-input').fill('from:ada older_than:3x');
    await page.keyboard.press('Enter');
    const error = page.getByTestId('list-error');
    await error.waitFor();
    expect(await error.getByTestId('error-text').textContent()).toMatch(/^Cannot read the search at "older_than:3x" \(character 10\): older_than: needs a number/);
    await page.screenshot({ path: join(SHOTS, '04-search-unreadable.png') });
  });

  it('moves with j/k and opens with Enter', async () => {
    await page.getByTestId('search-input').fill('');
    await label('INBOX').click();
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await expect.poll(() => page.getByTestId('message-view').getAttribute('data-message-id')).toBe(seeded.plainId);
    await page.keyboard.press('k');
    await expect.poll(() => page.getByTestId('message-view').getAttribute('data-message-id')).toBe(seeded.hostileId);
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await expect.poll(() => page.getByTestId('message-view').getAttribute('data-message-id')).toBe('m00000');
    await page.keyboard.press('Enter');
    await expect.poll(() => row('m00000').getAttribute('aria-selected')).toBe('true');
  });

  it('has a dark theme and a settings screen', async () => {
    await page.getByTestId('theme-toggle').click();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await page.screenshot({ path: join(SHOTS, '05-dark.png') });
    await page.getByTestId('open-settings').click();
    await page.getByTestId('settings-dialog').waitFor();
    await page.getByTestId('setting-interval').waitFor();
    await page.screenshot({ path: join(SHOTS, '06-settings-dark.png') });
    await page.getByRole('radio', { name: 'Always load' }).click();
    await expect.poll(async () => (await h.services.getSettings()).remoteImages).toBe('always');
    await page.getByRole('radio', { name: 'Ask first' }).click();
    await page.keyboard.press('Escape');
    await page.getByTestId('theme-toggle').click();
  });

  it('shows a real progress bar while syncing, and a failed sync with Retry', async () => {
    // A sync far bigger than the seeded store: the core's status answer is replaced for this scenario.
    const real = await h.services.syncStatus(seeded.accountId);
    const showing = (patch: Partial<SyncStatus>) => h.override('syncStatus', async () => ({ ...real, ...patch }));
    showing({
      phase: 'fetching',
      processed: 1204,
      total: 96_000,
      ratePerSecond: 42.5,
      etaSeconds: 2230,
      initialSyncCompleted: false,
      labels: [
        { labelId: 'INBOX', name: 'Inbox', processed: 1204, total: 1204 },
        { labelId: 'SENT', name: 'Sent', processed: 0, total: 3100 },
      ],
      percent: 1.3,
    });
    h.emit('sync:progress', { accountId: seeded.accountId });
    const bar = page.getByRole('progressbar');
    await expect.poll(() => bar.getAttribute('aria-valuenow')).toBe('1');
    expect(await page.getByTestId('sync-detail').textContent()).toMatch(/1,204 of 96,000 · 43 msg\/s · about 37 min left/);
    await page.waitForTimeout(600); // the bar's width animates
    await page.screenshot({ path: join(SHOTS, '07-syncing.png') });

    showing({
      phase: 'error',
      processed: 1204,
      total: 96_000,
      percent: 1.3,
      initialSyncCompleted: false,
      offline: true,
      error: { code: 'OFFLINE', message: 'Cannot reach Gmail (ENOTFOUND). Your mirror stays browsable.' },
    });
    h.emit('sync:progress', { accountId: seeded.accountId });
    await page.getByTestId('sync-retry').waitFor();
    await page.getByTestId('offline-indicator').waitFor();
    await page.waitForTimeout(600);
    await page.screenshot({ path: join(SHOTS, '08-sync-error-offline.png') });
    await page.getByTestId('sync-retry').click();
    // Retry reached the real core: it queued an incremental pass.
    await expect.poll(async () => (await h.queued()).some((j) => j.name === 'incrementalSync')).toBe(true);

    h.override('syncStatus', null);
    h.emit('sync:progress', { accountId: seeded.accountId });
    await expect.poll(() => bar.getAttribute('aria-valuenow')).toBe('100');
    expect(await page.getByTestId('offline-indicator').count()).toBe(0);
  });

  it('keeps working after a reload (the session this origin kept replaces the link’s token)', async () => {
    await page.reload();
    await page.getByTestId('mailbox').waitFor();
    await page.getByTestId('message-row').first().waitFor();
    expect(page.url()).toBe(`${host.origin}/`);
  });

  it('updates label counts live from events', async () => {
    h.db.sqlite.prepare("UPDATE labels SET messages_total = 4242 WHERE gmail_id = 'Label_5'").run();
    h.emit('labels:changed', { accountId: seeded.accountId });
    await expect.poll(() => label('Label_5').getAttribute('data-messages-total')).toBe('4242');
  });

  it('counts All Mail as Gmail does, without Spam and Trash, and lists neither there', async () => {
    const mirrored = Number(await label('').getAttribute('data-local-total'));
    const spamTrash = (id: string, labelIds: string[], at: number) => ({
      gmailId: id, threadId: `t-${id}`, labelIds, historyId: '9000', internalDate: at, sizeEstimate: 500,
      snippet: `${id} snippet`, subject: `${id} subject`, from: 'Spammer <s@spam.example>', to: 'alice@example.com', cc: null,
      date: new Date(at).toUTCString(), messageIdHeader: `<${id}@spam.example>`, references: null, textBody: id, htmlBody: null,
      attachments: [], parseError: null,
    });
    // Newer than everything else: were they in All Mail, they would be its first rows.
    saveMessageDetails(h.db, seeded.accountId, [spamTrash('spam-one', ['SPAM'], Date.UTC(2030, 0, 1)), spamTrash('trash-one', ['TRASH'], Date.UTC(2030, 0, 2))], { insertMissing: true });
    h.db.sqlite.prepare("UPDATE labels SET messages_total = 1 WHERE gmail_id IN ('SPAM', 'TRASH')").run();
    // Gmail's mailbox (getProfile) holds those two and 40 more that are not mirrored yet.
    h.db.sqlite.prepare('UPDATE accounts SET messages_total = ? WHERE id = ?').run(mirrored + 2 + 40, seeded.accountId);
    h.emit('labels:changed', { accountId: seeded.accountId });
    h.emit('accounts:changed', { accountId: seeded.accountId });
    await expect.poll(() => label('').getAttribute('data-messages-total')).toBe(String(mirrored + 40));
    expect(await label('').getAttribute('data-local-total')).toBe(String(mirrored));
    expect(await label('').getAttribute('title')).toContain(`${mirrored.toLocaleString('en-US')} mirrored so far`);
    await label('').click();
    await expect.poll(() => page.getByTestId('list-title').textContent()).toBe('All Mail');
    // The list's heading says what the sidebar says.
    const fmt = (n: number) => n.toLocaleString('en-US');
    expect(await page.getByTestId('list-subtitle').textContent()).toMatch(new RegExp(`^${fmt(mirrored + 40)} messages · .* · ${fmt(mirrored)} mirrored so far$`));
    await page.getByTestId('message-row').first().waitFor();
    const ids = await page.getByTestId('message-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-message-id')));
    expect(ids).not.toContain('spam-one');
    expect(ids).not.toContain('trash-one');
    await label('SPAM').click();
    await expect.poll(() => page.getByTestId('message-row').first().getAttribute('data-message-id')).toBe('spam-one');
    h.db.sqlite.prepare('UPDATE accounts SET messages_total = ? WHERE id = ?').run(mirrored + 2, seeded.accountId);
    h.emit('accounts:changed', { accountId: seeded.accountId });
    await expect.poll(() => label('').getAttribute('title')).not.toContain('mirrored so far');
    await label('INBOX').click();
  });

  it('shows attachment names without bidi tricks and marks executables', async () => {
    // In Gmail with three attachments (parts 1-3); the mirror's row names them as a hostile sender would.
    const raw = ['From: Mallory <mallory@evil.example>', 'To: alice@example.com', 'Subject: Payment documents quokka', 'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b"', '', '--b', 'Content-Type: text/plain', '', 'See the attached quokka files.',
      ...[1, 2, 3].flatMap((i) => ['--b', 'Content-Type: application/octet-stream', `Content-Disposition: attachment; filename="file${i}"`, '', '#!/bin/sh']),
      '--b--', ''].join('\r\n');
    const trickyId = h.mailbox.addMessage({ labelIds: ['INBOX'], raw });
    const att = (part: string, filename: string, mimeType: string) => ({ gmailAttachmentId: attachmentIdFor(trickyId, part), partId: part, filename, mimeType, size: 10, contentId: null });
    saveMessageDetails(
      h.db,
      seeded.accountId,
      [
        {
          gmailId: trickyId,
          threadId: 'ttricky',
          labelIds: ['INBOX'],
          historyId: '5002',
          internalDate: Date.UTC(2025, 5, 1),
          sizeEstimate: 900,
          snippet: 'Payment documents',
          subject: 'Payment documents quokka',
          from: 'Mallory <mallory@evil.example>',
          to: 'alice@example.com',
          cc: null,
          date: null,
          messageIdHeader: null,
          references: null,
          textBody: 'See the attached quokka files.',
          htmlBody: null,
          attachments: [att('1', 'invoice\u202Efdp.sh', 'application/pdf'), att('2', 'invoice.pdf.exe', 'application/pdf'), att('3', 'notes.txt', 'text/plain')],
          parseError: null,
        },
      ],
      { insertMissing: true },
    );
    await page.getByTestId('search-input').fill('quokka');
    await page.keyboard.press('Enter');
    await row(trickyId).click();
    const files = page.getByTestId('attachment');
    await expect.poll(() => files.count()).toBe(3);
    const names = await files.locator('.attachment-name').allTextContents();
    expect(names.sort()).toEqual(['invoice.pdf.exe', 'invoicefdp.sh', 'notes.txt']);
    const exe = files.filter({ has: page.getByTestId('attachment-executable') });
    expect((await exe.locator('.attachment-name').allTextContents()).sort()).toEqual(['invoice.pdf.exe', 'invoicefdp.sh']);
    expect(await exe.first().getAttribute('title')).toContain('executable file');
    const [download] = await Promise.all([page.waitForEvent('download'), files.filter({ hasText: 'invoicefdp.sh' }).click()]);
    expect(download.suggestedFilename()).toBe('invoicefdp.sh');
    await page.screenshot({ path: join(SHOTS, '09-attachments-executable.png') });
  });

  // Last in this group: it stops the host.
  it('tells an idle window within seconds that Mailmirror has stopped', async () => {
    expect(await page.getByTestId('offline-indicator').count()).toBe(0);
    await host.close();
    const pill = page.getByTestId('offline-indicator');
    await pill.waitFor({ timeout: 5000 });
    expect(await pill.textContent()).toBe('Reconnecting to Mailmirror…');
    // The sync panel no longer vouches for the last status it heard.
    await expect.poll(() => page.getByTestId('sync-phase').textContent()).toBe('Reconnecting to Mailmirror…');
  });
});

describe('first run in Chromium', () => {
  let h2: Harness;
  let router2: IpcRouter;
  let host2: BrowserHost;

  beforeAll(async () => {
    // The real OAuth installed-app flow against the Gmail emulator's consent endpoint.
    h2 = await createHarness();
    h2.emu.addAccount('new.user@example.com', { messages: 5, seed: 3 });
    h2.emu.setConsentAccount('new.user@example.com');
    router2 = createRouter(h2.services);
    host2 = await startBrowserHost({ router: router2, staticDir: RENDERER, port: 0 });
  });

  afterAll(async () => {
    await host2?.close();
    router2?.close();
    await h2?.close();
  });

  it('offers Connect Gmail, follows the OAuth redirect in a new tab and shows the account', async () => {
    const p = await context.newPage();
    await p.goto(host2.url);
    await p.getByTestId('welcome').waitFor();
    await p.screenshot({ path: join(SHOTS, '00-welcome.png') });
    const [consent] = await Promise.all([context.waitForEvent('page'), p.getByTestId('connect-gmail').click()]);
    await consent.waitForLoadState();
    await p.getByTestId('mailbox').waitFor();
    expect(await p.getByTestId('account-current').textContent()).toContain('new.user@example.com');
    // The Connect button that opened the dialog is gone with the Welcome screen: focus stays on the page, where
    // the shortcuts work, and does not fall into the search box (where a first j would be typed).
    await expect.poll(() => p.getByTestId('connect-dialog').count()).toBe(0);
    expect(await p.evaluate(() => document.activeElement?.tagName)).not.toBe('INPUT');
    await consent.close();
    await p.close();
  });
});
