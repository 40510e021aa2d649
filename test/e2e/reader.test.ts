// The reader's everyday tools in Chromium over the browser host (issue 15, reader): the reader follows the
// label, Sent and Drafts rows name their recipients, a mail's fixed overlay stays harmless, quoted text folds,
// long recipient lists collapse, Print prints the message (not the window), Open in Gmail, copy, images
// allowed per sender (and removed in Settings), image attachments previewed.
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { closeServed, ensureRendererBuilt, serveHarness } from '../helpers/renderer-host';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveMessageDetails, type ParsedMessage } from '../../src/main/db';
import type { BrowserHost } from '../../src/main/host/browser-host';
import type { IpcRouter } from '../../src/main/ipc/router';
import { attachmentIdFor } from '../../src/emulator/gmail-render';
import { launchChromium } from '../helpers/chromium';
import { createHarness, HARNESS_EMAIL, seedMailbox, type Harness, type Seeded } from '../helpers/ipc-harness';
import { parsedMessage } from '../helpers/parsed-message';
import { gradientPng } from '../helpers/png';

const SHOTS = join(process.cwd(), 'test-artifacts', 'screens', 'reader');

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

// A real picture for the attachment preview: a 96×64 RGB gradient PNG.
const PHOTO = gradientPng(96, 64);

const base = Date.UTC(2025, 5, 2, 12, 0, 0);
const msg = (gmailId: string, labelIds: string[], fields: Partial<ParsedMessage>): ParsedMessage =>
  parsedMessage(gmailId, { labelIds, historyId: '7000', internalDate: base + Number(gmailId.replace(/\D/g, '') || 0) * 60_000, sizeEstimate: 1000, ...fields });

const QUOTED_LINES = Array.from({ length: 30 }, (_, i) => `Quoted line ${i + 1} of the earlier message.`);
const PRINT_LINES = Array.from({ length: 90 }, (_, i) => `Line ${i + 1}: the minutes of the meeting, item by item.`);
const MANY = Array.from({ length: 25 }, (_, i) => `"Person ${i + 1}" <person${i + 1}@team.example>`);

const LAYOUT_HTML = `<html><head><style>
.stuck { posit\\69 on: sticky; top: 0; background: #fee; }
@media screen { .cover2 { position: fixed !important; inset: 0; } }
</style></head><body>
<div id="overlay" style="position:fixed; top:0; left:0; right:0; bottom:0; z-index:99999; background:rgba(200,0,0,.85); color:#fff; font-size:40px">YOU HAVE WON — click anywhere</div>
<div class="stuck" id="stuck">A banner that wants to stick</div>
<div class="cover2" id="cover2"></div>
<p>The agenda for Thursday is below.</p>
<p><a id="real-link" href="https://example.com/agenda">Open the agenda</a></p>
</body></html>`;

const QUOTE_HTML = `<div dir="ltr">Thanks Ada — Thursday works for me.</div><br>
<div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Mon, 2 Jun 2025 at 10:00, Ada Lovelace &lt;ada@engines.example&gt; wrote:<br></div>
<blockquote class="gmail_quote" style="margin:0 0 0 .8ex;border-left:1px #ccc solid;padding-left:1ex">${QUOTED_LINES.map((l) => `<div>${l}</div>`).join('')}</blockquote></div>`;

const ids = {
  sent: 'sent00001',
  draft: 'draft0002',
  layout: 'layout003',
  quoteHtml: 'quoteh004',
  quoteText: 'quotet005',
  many: 'many00006',
  print: 'print0007',
  news1: 'news00008',
  news2: 'news00009',
};
let photoMsgId: string;

beforeAll(async () => {
  ensureRendererBuilt();
  mkdirSync(SHOTS, { recursive: true });
  imageServer = createServer((req, res) => {
    imageHits.push(req.url ?? '');
    res.writeHead(200, { 'Content-Type': 'image/png' }).end(PHOTO);
  });
  await new Promise<void>((ok) => imageServer.listen(0, '127.0.0.1', ok));
  imageUrl = `http://127.0.0.1:${(imageServer.address() as AddressInfo).port}/promo.png`;

  h = await createHarness();
  seeded = await seedMailbox(h, { count: 40 });

  // A message with a picture and a program attached, in Gmail (the download goes there) and in the mirror.
  const raw = [
    'From: "Grace Hopper" <grace@navy.example>', `To: ${HARNESS_EMAIL}`, 'Subject: Photos from the launch', 'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b"', '', '--b', 'Content-Type: text/plain', '', 'Two files from the launch.',
    '--b', 'Content-Type: image/png; name="launch.png"', 'Content-Disposition: attachment; filename="launch.png"', 'Content-Transfer-Encoding: base64', '',
    PHOTO.toString('base64'),
    '--b', 'Content-Type: image/png; name="launch.png.exe"', 'Content-Disposition: attachment; filename="launch.png.exe"', 'Content-Transfer-Encoding: base64', '',
    PHOTO.toString('base64'),
    '--b', 'Content-Type: image/png; name="scan.png"', 'Content-Disposition: attachment; filename="scan.png"', 'Content-Transfer-Encoding: base64', '',
    Buffer.from('not a picture at all, whatever the name says').toString('base64'),
    '--b--', '',
  ].join('\r\n');
  photoMsgId = h.mailbox.addMessage({ labelIds: ['INBOX'], raw });
  const att = (part: string, filename: string) => ({
    gmailAttachmentId: attachmentIdFor(photoMsgId, part), partId: part, filename, mimeType: 'image/png', size: PHOTO.length, contentId: null,
  });

  const me = `Alice <${HARNESS_EMAIL}>`;
  const news = (id: string, n: number) =>
    msg(id, ['INBOX', 'Label_5'], {
      from: 'Shop News <news@shop.example>', to: HARNESS_EMAIL, subject: `Weekly offers ${n}`, snippet: 'Offers',
      htmlBody: `<p>Offers of week ${n}</p><img src="${imageUrl}?n=${n}" alt="promo" width="96" height="64">`, textBody: `Offers of week ${n}`,
    });
  saveMessageDetails(
    h.db,
    seeded.accountId,
    [
      msg(ids.sent, ['SENT'], { from: me, to: '"Ada Lovelace" <ada@engines.example>, Grace Hopper <grace@navy.example>', subject: 'Agenda for Thursday', snippet: 'Agenda', textBody: 'Agenda attached.' }),
      msg(ids.draft, ['DRAFT'], { from: me, to: 'linus@kernel.example', subject: 'Half-written reply', snippet: 'Draft', textBody: 'Not finished.' }),
      msg(ids.layout, ['INBOX', 'Label_4'], { from: 'Prize Desk <prizes@spam.example>', to: HARNESS_EMAIL, subject: 'You have won (layout test)', snippet: 'won', htmlBody: LAYOUT_HTML, textBody: 'won' }),
      msg(ids.quoteHtml, ['INBOX', 'Label_4'], { from: 'Grace Hopper <grace@navy.example>', to: HARNESS_EMAIL, subject: 'Re: Thursday (html)', snippet: 'Thanks Ada', htmlBody: QUOTE_HTML, textBody: 'Thanks' }),
      msg(ids.quoteText, ['INBOX', 'Label_4'], {
        from: 'Linus <linus@kernel.example>', to: HARNESS_EMAIL, subject: 'Re: Thursday (text)', snippet: 'Fine by me',
        textBody: ['Fine by me, see you there.', '', 'On Mon, 2 Jun 2025, Ada Lovelace wrote:', ...QUOTED_LINES.map((l) => `> ${l}`), '', '-- ', 'Linus'].join('\n'),
      }),
      msg(ids.many, ['INBOX', 'Label_4'], { from: 'Margaret Hamilton <mh@apollo.example>', to: MANY.slice(0, 20).join(', '), cc: MANY.slice(20).join(', '), subject: 'All hands', snippet: 'All hands', textBody: 'See you all.' }),
      msg(ids.print, ['INBOX', 'Label_4'], { from: 'Katherine Johnson <kj@nasa.example>', to: HARNESS_EMAIL, subject: 'Minutes (90 lines)', snippet: 'Minutes', textBody: PRINT_LINES.join('\n') }),
      news(ids.news1, 1),
      news(ids.news2, 2),
      msg(photoMsgId, ['INBOX', 'Label_4'], {
        internalDate: base + 30 * 60_000,
        from: 'Grace Hopper <grace@navy.example>', to: HARNESS_EMAIL, subject: 'Photos from the launch', snippet: 'Two files', textBody: 'Two files from the launch.',
        attachments: [att('1', 'launch.png'), att('2', 'launch.png.exe'), { ...att('3', 'scan.png'), size: 44 }],
      }),
    ],
    { insertMissing: true },
  );

  ({ router, host } = await serveHarness(h));
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'light' });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: host.origin });
  page = await context.newPage();
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
const reader = () => page.getByTestId('message-view');
const frame = () => page.frameLocator('[data-testid="message-frame"]');

async function open(labelId: string, id: string): Promise<void> {
  await label(labelId).click();
  await row(id).click();
  await expect.poll(() => reader().getAttribute('data-message-id')).toBe(id);
}

describe('reader tools in Chromium', () => {
  it('clears the reader when another label opens', async () => {
    await open('INBOX', seeded.plainId);
    await label('Label_4').click();
    await page.getByTestId('reader-empty').waitFor();
    expect(await reader().count()).toBe(0);
    // And a message of the new label opens there.
    await row(ids.print).click();
    await expect.poll(() => reader().getAttribute('data-message-id')).toBe(ids.print);
  });

  it('names the recipients on Sent and Drafts rows, not the user as sender', async () => {
    await label('SENT').click();
    await row(ids.sent).waitFor();
    expect(await row(ids.sent).getByTestId('row-who').textContent()).toBe('To: Ada, Grace');
    await page.screenshot({ path: join(SHOTS, 'sent-recipients-1440.png') });
    await label('DRAFT').click();
    expect(await row(ids.draft).getByTestId('row-who').textContent()).toBe('To: linus@kernel.example');
    // Received mail still names its sender.
    await label('INBOX').click();
    expect(await row(seeded.plainId).getByTestId('row-who').textContent()).toBe('Travel Desk');
  });

  it('contains a mail’s fixed and sticky layout: no overlay covers the message or swallows clicks', async () => {
    await open('Label_4', ids.layout);
    const f = frame();
    await f.locator('#real-link').waitFor();
    expect(await f.locator('#overlay').evaluate((el) => getComputedStyle(el).position)).toBe('static');
    expect(await f.locator('#stuck').evaluate((el) => getComputedStyle(el).position)).toBe('static');
    expect(await f.locator('#cover2').evaluate((el) => getComputedStyle(el).position)).toBe('static');
    // What is under the link's centre is the link: a click reaches it.
    const hit = await f.locator('#real-link').evaluate((el) => {
      const r = el.getBoundingClientRect();
      return document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2) === el;
    });
    expect(hit).toBe(true);
    await f.locator('#real-link').click({ trial: true, timeout: 2000 });
    // The app around the frame is clickable too.
    await row(ids.print).click({ trial: true, timeout: 2000 });
    await page.screenshot({ path: join(SHOTS, 'layout-contained-1440.png') });
  });

  it('folds quoted text behind a toggle, in HTML and plain-text mail', async () => {
    await open('Label_4', ids.quoteHtml);
    const f = frame();
    await f.getByText('Thanks Ada — Thursday works for me.').waitFor();
    const quoted = f.getByText('Quoted line 30 of the earlier message.');
    expect(await quoted.isVisible()).toBe(false);
    expect(await f.getByText('wrote:').isVisible()).toBe(false);
    await page.screenshot({ path: join(SHOTS, 'quote-folded-html-1440.png') });
    await f.locator('details.mm-quote > summary').click();
    await expect.poll(() => quoted.isVisible()).toBe(true);

    await open('Label_4', ids.quoteText);
    const text = page.getByTestId('message-text');
    await text.getByText('Fine by me, see you there.').waitFor();
    const fold = page.getByTestId('quote-fold');
    expect(await fold.count()).toBe(1);
    expect(await fold.getAttribute('open')).toBeNull();
    expect(await text.getByText('> Quoted line 30', { exact: false }).isVisible()).toBe(false);
    // The signature after the quote stays visible.
    expect(await text.getByText('Linus', { exact: false }).last().isVisible()).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'quote-folded-text-1440.png') });
    await fold.locator('summary').click();
    await expect.poll(() => text.getByText('> Quoted line 30', { exact: false }).isVisible()).toBe(true);
    expect(await text.getByText('On Mon, 2 Jun 2025, Ada Lovelace wrote:', { exact: false }).isVisible()).toBe(true);
  });

  it('collapses 25 recipients to a summary that expands', async () => {
    await open('Label_4', ids.many);
    const r = page.getByTestId('recipients');
    expect(await r.textContent()).toContain('to Person 1, Person 2, Person 3');
    expect(await page.getByTestId('recipients-more').textContent()).toBe('and 22 more');
    expect(await r.textContent()).not.toContain('person25@team.example');
    await page.screenshot({ path: join(SHOTS, 'recipients-collapsed-1440.png') });
    await page.getByTestId('recipients-more').click();
    await expect.poll(() => r.textContent()).toContain('person25@team.example');
    expect(await r.textContent()).toContain('25 recipients');
    expect(await r.textContent()).toContain('cc Person 21 <person21@team.example>');
    expect(await r.textContent()).not.toContain('"');
    await page.screenshot({ path: join(SHOTS, 'recipients-expanded-1440.png') });
    await page.getByTestId('recipients-less').click();
    await page.getByTestId('recipients-more').waitFor();
  });

  it('prints the whole message through its own document, not the app window', async () => {
    await open('Label_4', ids.print);
    // Chromium ignores print() in a sandboxed document without allow-modals, and says so on the console.
    const ignored: string[] = [];
    const onConsole = (m: { text(): string }) => void (m.text().includes("Ignored call to 'print()'") && ignored.push(m.text()));
    page.on('console', onConsole);
    await page.getByTestId('print-message').click();
    await page.getByTestId('print-frame').waitFor({ state: 'attached' });
    await page.waitForTimeout(700);
    page.off('console', onConsole);
    expect(ignored).toEqual([]);

    // Count print() calls: the app window's own, and the print frame's (same origin: its window is reachable).
    await page.evaluate(() => {
      const w = window as unknown as { __appPrints: number; __framePrints: number };
      w.__appPrints = 0;
      w.__framePrints = 0;
      window.print = () => void w.__appPrints++;
      const desc = Object.getOwnPropertyDescriptor(HTMLIFrameElement.prototype, 'contentWindow')!;
      Object.defineProperty(HTMLIFrameElement.prototype, 'contentWindow', {
        configurable: true,
        get(this: HTMLIFrameElement) {
          const cw = desc.get!.call(this) as Window | null;
          if (cw && this.dataset.testid === 'print-frame') cw.print = () => void w.__framePrints++;
          return cw;
        },
      });
    });
    await page.getByTestId('print-message').click();
    await expect.poll(() => page.evaluate(() => (window as unknown as { __framePrints: number }).__framePrints)).toBe(1);
    // One print frame at a time.
    expect(await page.getByTestId('print-frame').count()).toBe(1);
    expect(await page.evaluate(() => (window as unknown as { __appPrints: number }).__appPrints)).toBe(0);

    const printFrame = page.frameLocator('[data-testid="print-frame"]');
    const text = (await printFrame.locator('body').textContent()) ?? '';
    expect(text).toContain('Minutes (90 lines)');
    expect(text).toContain('Katherine Johnson <kj@nasa.example>');
    expect(text).toContain('Line 1: the minutes');
    expect(text).toContain('Line 90: the minutes');
    expect(text).not.toContain('Mailmirror');
    expect(text).not.toContain('Inbox');

    // Laid out for paper, the document runs over pages (the old print was one page of the window).
    const doc = (await page.getByTestId('print-frame').getAttribute('srcdoc')) ?? '';
    const paper = await context.newPage();
    await paper.setContent(doc);
    await paper.emulateMedia({ media: 'print' });
    const pdf = await paper.pdf({ format: 'A4' });
    const pages = pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g)?.length ?? 0;
    expect(pages).toBeGreaterThanOrEqual(2);
    await paper.setViewportSize({ width: 794, height: 1123 });
    await paper.screenshot({ path: join(SHOTS, 'print-document.png'), fullPage: true });
    await paper.close();

    // The window's own print (Ctrl+P) shows the reader without the app around it.
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.sidebar').isVisible()).toBe(false);
    expect(await page.locator('.list-pane').isVisible()).toBe(false);
    expect(await page.locator('.topbar').isVisible()).toBe(false);
    expect(await page.getByTestId('message-text').isVisible()).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'window-print-media.png') });
    await page.emulateMedia({ media: 'screen' });

    // An HTML message prints its body in full, quotes unfolded.
    await open('Label_4', ids.quoteHtml);
    await page.getByTestId('print-message').click();
    await expect.poll(() => page.evaluate(() => (window as unknown as { __framePrints: number }).__framePrints)).toBe(2);
    const html = (await page.frameLocator('[data-testid="print-frame"]').locator('body').textContent()) ?? '';
    expect(html).toContain('Thanks Ada — Thursday works for me.');
    expect(html).toContain('Quoted line 30 of the earlier message.');
    const srcdoc = (await page.getByTestId('print-frame').getAttribute('srcdoc')) ?? '';
    expect(srcdoc).toContain("default-src 'none'");
    expect((await page.getByTestId('print-frame').getAttribute('sandbox')) ?? '').not.toContain('allow-scripts');
  });

  it('opens the message in Gmail through an external link, and copies address and subject', async () => {
    await open('Label_4', ids.print);
    const link = page.getByTestId('open-in-gmail');
    expect(await link.getAttribute('href')).toBe(`https://mail.google.com/mail/u/${HARNESS_EMAIL}/#all/${ids.print}`);
    expect(await link.getAttribute('target')).toBe('_blank');
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
    expect(await link.getAttribute('aria-label')).toBe('Open in Gmail');

    await page.getByTestId('copy-subject').click();
    await expect.poll(() => page.getByTestId('copy-subject').getAttribute('data-state')).toBe('copied');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('Minutes (90 lines)');
    await page.getByTestId('copy-address').click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe('kj@nasa.example');
    expect(await page.getByTestId('copy-address').getAttribute('aria-label')).toBe('Copied');
    await page.screenshot({ path: join(SHOTS, 'reader-tools-1440.png') });
  });

  it('loads images from a sender always once asked to, and Settings lists and removes the sender', async () => {
    await open('Label_5', ids.news1);
    await page.getByTestId('remote-images-banner').waitFor();
    expect(imageHits).toEqual([]);
    expect(await page.getByTestId('always-load-sender').textContent()).toBe('Always from this sender');
    expect(await page.getByTestId('always-load-sender').getAttribute('title')).toContain('news@shop.example');
    await page.screenshot({ path: join(SHOTS, 'images-ask-sender-1440.png') });
    await page.getByTestId('always-load-sender').click();
    await expect.poll(() => imageHits.some((u) => u.includes('n=1'))).toBe(true);
    expect((await h.services.getSettings()).imagesAllowedFrom).toEqual(['news@shop.example']);

    // Another message of that sender: loaded without asking.
    await row(ids.news2).click();
    await expect.poll(() => imageHits.some((u) => u.includes('n=2'))).toBe(true);
    expect(await page.getByTestId('remote-images-banner').count()).toBe(0);
    await page.getByTestId('sender-images-allowed').waitFor();

    await page.getByTestId('open-settings').click();
    await page.getByTestId('settings-dialog').waitFor();
    const sender = page.getByTestId('image-sender');
    await expect.poll(() => sender.textContent()).toContain('news@shop.example');
    await sender.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'settings-image-senders-1440.png') });
    await page.getByRole('button', { name: 'Remove news@shop.example' }).click();
    await expect.poll(async () => (await h.services.getSettings()).imagesAllowedFrom).toEqual([]);
    await expect.poll(() => sender.count()).toBe(0);
    await page.keyboard.press('Escape');

    // Back to asking.
    await label('INBOX').click();
    await open('Label_5', ids.news1);
    await page.getByTestId('remote-images-banner').waitFor();
  });

  it('previews image attachments, and a program disguised as one keeps its warning and gets no preview', async () => {
    await open('Label_4', photoMsgId);
    const files = page.getByTestId('attachment');
    await expect.poll(() => files.count()).toBe(3);
    const preview = files.filter({ hasText: 'launch.png' }).filter({ hasNotText: '.exe' }).getByTestId('attachment-preview');
    await preview.waitFor();
    expect(await preview.getAttribute('src')).toMatch(/^blob:/);
    await expect.poll(() => preview.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(96);
    const exe = files.filter({ hasText: 'launch.png.exe' });
    expect(await exe.getByTestId('attachment-executable').count()).toBe(1);
    expect(await exe.getByTestId('attachment-preview').count()).toBe(0);
    // A "picture" the browser cannot draw keeps its icon, not an empty thumbnail.
    await page.waitForTimeout(500);
    const scan = files.filter({ hasText: 'scan.png' });
    expect(await scan.getByTestId('attachment-preview').count()).toBe(0);
    expect(await scan.locator('.attachment-icon').count()).toBe(1);
    await page.screenshot({ path: join(SHOTS, 'attachment-preview-1440.png') });
  });

  it('looks right in dark and at other sizes', async () => {
    await open('Label_4', ids.many);
    for (const [w, hgt] of [[1024, 700], [1920, 1080]] as const) {
      await page.setViewportSize({ width: w, height: hgt });
      // However narrow, "and 22 more" and the copy button stay on screen (the names give way).
      for (const id of ['recipients-more', 'copy-address']) {
        const box = await page.getByTestId(id).boundingBox();
        expect(box && box.x + box.width <= w - 8, id).toBe(true);
        expect(await page.getByTestId(id).evaluate((el) => {
          const r = el.getBoundingClientRect();
          return document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2)?.closest('button') === el;
        }), id).toBe(true);
      }
      await page.screenshot({ path: join(SHOTS, `reader-light-${w}.png`) });
    }
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.getByTestId('theme-toggle').click();
    await open('Label_4', ids.quoteText);
    await page.getByTestId('quote-fold').locator('summary').click();
    await page.screenshot({ path: join(SHOTS, 'quote-open-text-dark-1440.png') });
    await open('Label_4', photoMsgId);
    await page.getByTestId('attachment-preview').waitFor();
    await page.screenshot({ path: join(SHOTS, 'attachment-preview-dark-1440.png') });
    await open('Label_4', ids.many);
    for (const [w, hgt] of [[1024, 700], [1440, 900], [1920, 1080]] as const) {
      await page.setViewportSize({ width: w, height: hgt });
      await page.screenshot({ path: join(SHOTS, `reader-dark-${w}.png`) });
    }
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.getByTestId('theme-toggle').click();
  });
});
