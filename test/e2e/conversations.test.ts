// Conversations, in Chromium over the browser host, as a Gmail user meets them: the Inbox lists one row per thread
// (its senders, its message count, unread if any message is), the labels count conversations first, the reader shows
// the whole conversation (read messages collapsed, a long run of them folded, the unread and newest open, quotes
// folded, long recipient lists collapsed), n / p move inside it and j / k between conversations, search results are
// grouped by conversation, and the setting turns it all back into one row per message.
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserHost } from '../../src/main/host/browser-host';
import type { IpcRouter } from '../../src/main/ipc/router';
import { saveMessageDetails } from '../../src/main/db';
import { launchChromium } from '../helpers/chromium';
import { ensureRendererBuilt, serveHarness, closeServed } from '../helpers/renderer-host';
import { createHarness, seedMailbox, type Harness, type Seeded } from '../helpers/ipc-harness';

const SHOTS = join(process.cwd(), 'test-artifacts', 'screens', 'conversations');

let h: Harness;
let router: IpcRouter;
let host: BrowserHost;
let browser: Browser;
let page: Page;
let seeded: Seeded;

beforeAll(async () => {
  ensureRendererBuilt();
  mkdirSync(SHOTS, { recursive: true });
  h = await createHarness({ conversations: true });
  seeded = await seedMailbox(h, { count: 60, longThread: true });
  ({ router, host } = await serveHarness(h));
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 }, colorScheme: 'light' });
  await page.goto(host.url);
  await page.getByTestId('message-row').first().waitFor();
});

afterAll(async () => {
  await closeServed({ browser, host, router, h });
});

const rows = () => page.getByTestId('message-row');
/** The list's first rows (the list is virtual: only rows near the screen exist), by thread or message id. */
const firstRows = (n: number, key: 'threadId' | 'messageId') =>
  rows().evaluateAll((els, [k, count]) => els.slice(0, count as number).map((e) => (e as HTMLElement).dataset[k as string] ?? null), [key, n] as const);
const row = (threadId: string) => page.locator(`[data-testid="message-row"][data-thread-id="${threadId}"]`);
const press = (key: string) => page.keyboard.press(key);
const notice = () => page.getByTestId('shortcut-notice').textContent();
const conversation = () => page.getByTestId('conversation-view');
const item = (id: string) => page.locator(`[data-testid="conversation-message"][data-message-id="${id}"]`);
/** The conversation's messages on screen: id and whether open (folded ones are not there). */
const shownItems = () =>
  page
    .getByTestId('conversation-message')
    .evaluateAll((els) => els.map((e) => `${(e as HTMLElement).dataset.messageId}:${(e as HTMLElement).dataset.expanded === 'true' ? 'open' : 'closed'}`));
/** Which conversation message has focus (n / p put it there). */
const focusedMessage = () => page.evaluate(() => (document.activeElement as HTMLElement | null)?.closest<HTMLElement>('[data-testid="conversation-message"]')?.dataset.messageId ?? null);

/** axe-core's serious and critical findings (the message frames' contents are the sender's, not the app's). */
async function axeViolations(): Promise<string[]> {
  await page.evaluate(readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8'));
  const found = await page.evaluate(async () => {
    type Result = { violations: { id: string; impact: string; nodes: { target: string[] }[] }[] };
    const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<Result> } }).axe;
    const r = await axe.run({ exclude: [['[data-testid="message-frame"]'], ['.frame-twin']] }, { iframes: false, resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, target: v.nodes[0]?.target.join(' ') ?? '' }));
  });
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.target}`);
}

async function shot(name: string) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

async function setConversations(on: boolean) {
  await page.getByTestId('open-settings').click();
  const sw = page.getByTestId('setting-conversations');
  await sw.waitFor();
  if ((await sw.getAttribute('aria-checked')) !== String(on)) await sw.click();
  await expect.poll(() => sw.getAttribute('aria-checked')).toBe(String(on));
  await page.keyboard.press('Escape');
  await page.getByTestId('settings-dialog').waitFor({ state: 'detached' });
}

describe('conversations', () => {
  it('lists the Inbox as one row per conversation, with its senders and message count, and counts conversations', async () => {
    // Newest conversation first, each once: the nine-message one, the hostile and the plain ones alone, then pairs.
    expect(await firstRows(6, 'threadId')).toEqual(['tlong', 'thostile', 'tplain', 't00000', 't00001', 't00002']);
    const long = row('tlong');
    // Gmail's sender line (who started it, then the latest senders) and the message count.
    expect(await long.getAttribute('data-message-count')).toBe('9');
    expect(await long.locator('.who-names').textContent()).toBe('Ada .. Katherine, Grace');
    expect(await long.getByTestId('thread-count').textContent()).toBe('9');
    // Said in words to a screen reader (the row is its option's name).
    expect(await long.getByTestId('row-who').locator('.visually-hidden').textContent()).toBe(', 9 messages');
    expect(await long.locator('.msg-subject').textContent()).toBe('Offsite planning');
    expect(await long.locator('.msg-snippet').textContent()).toBe('Final agenda attached below. See you all in Lisbon!');
    // Unread (its newest message is), and only the unread senders in bold.
    expect(await long.getAttribute('class')).toContain('unread');
    expect(await long.locator('.who-unread').allTextContents()).toEqual(['Katherine', 'Grace']);
    // A pair: Ada wrote first, Grace replied: first names, both there.
    expect(await row('t00000').locator('.who-names').textContent()).toBe('Ada, Grace');
    expect(await row('t00000').getByTestId('thread-count').textContent()).toBe('2');

    // The Inbox counts conversations (Gmail's threadsUnread / threadsTotal), messages in its title and spoken name.
    const inbox = page.locator('[data-testid="label-row"][data-label-id="INBOX"]');
    const threadsTotal = Number(await inbox.getAttribute('data-threads-total'));
    const threadsUnread = Number(await inbox.getAttribute('data-threads-unread'));
    const messagesTotal = Number(await inbox.getAttribute('data-messages-total'));
    expect(threadsTotal).toBe(33);
    expect(messagesTotal).toBe(70);
    expect(await inbox.locator('.nav-total').textContent()).toBe(String(threadsTotal));
    expect(await inbox.locator('.nav-unread').textContent()).toBe(String(threadsUnread));
    expect(await inbox.getAttribute('title')).toContain(`33 conversations, ${threadsUnread} unread (70 messages`);
    expect(await inbox.locator('.visually-hidden').textContent()).toBe(`, ${threadsUnread} unread conversations, 33 conversations, 70 messages`);
    expect(await page.getByTestId('list-title').locator('xpath=..').textContent()).toContain('33 conversations');
    // The window title says what the sidebar does: unread conversations.
    expect(await page.title()).toBe(`Inbox (${threadsUnread}) — Mailmirror`);
    await shot('inbox-light-1440');

    // Sent names who the user wrote to (the conversation's own count beside it), as Gmail's Sent does.
    await page.locator('[data-testid="label-row"][data-label-id="SENT"]').click();
    await expect.poll(() => firstRows(2, 'threadId')).toEqual(['tlong']);
    expect(await row('tlong').locator('.who-names').textContent()).toBe('To: Ada');
    expect(await row('tlong').getByTestId('thread-count').textContent()).toBe('9');
    // The window title follows the view, with that label's unread conversations (Sent has none).
    expect(await page.title()).toBe('Sent — Mailmirror');
    await page.locator('[data-testid="label-row"][data-label-id="INBOX"]').click();
    await expect.poll(() => page.title()).toBe(`Inbox (${threadsUnread}) — Mailmirror`);
    await expect.poll(() => firstRows(1, 'threadId')).toEqual(['tlong']);
  });

  it('opens the whole conversation: read messages collapsed (a long run folded), the unread and the newest open', async () => {
    await row('tlong').click();
    await conversation().waitFor();
    expect(await page.getByTestId('message-subject').innerText()).toContain('Offsite planning');
    expect(await page.getByTestId('conversation-count').textContent()).toBe('9');
    // long1 collapsed, long2…long6 behind "5 older messages", long7 (unread) open, long8 collapsed, long9 (newest) open.
    expect(await shownItems()).toEqual(['long1:closed', 'long7:open', 'long8:closed', 'long9:open']);
    expect(await page.getByTestId('conversation-more').innerText()).toMatch(/^5\s*older messages$/);
    // The open ones show their text with the quote of the message before folded behind "…".
    const seventh = item('long7');
    expect(await seventh.getByTestId('message-text').innerText()).toContain('launch rehearsal');
    const fold = seventh.getByTestId('quote-fold');
    expect(await fold.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
    expect(await seventh.getByTestId('message-text').innerText()).not.toContain('Flights are booked');
    await fold.locator('summary').click();
    expect(await seventh.getByTestId('message-text').innerText()).toContain('Flights are booked');
    // A collapsed message is one line: sender, snippet, date.
    expect(await item('long1').innerText()).toContain('Ada Lovelace');
    expect(await item('long1').innerText()).toContain('Shall we hold the offsite in Lisbon');
    await shot('conversation-light-1440');

    await page.getByTestId('conversation-more').click();
    expect(await shownItems()).toEqual([
      'long1:closed', 'long2:closed', 'long3:closed', 'long4:closed', 'long5:closed', 'long6:closed', 'long7:open', 'long8:closed', 'long9:open',
    ]);
    // Opening the HTML one renders it in the sandboxed frame, as the single-message reader does.
    await item('long5').getByTestId('conversation-collapsed').click();
    const frame = item('long5').getByTestId('message-frame');
    await frame.waitFor();
    expect(await frame.getAttribute('sandbox')).toBe('allow-popups allow-popups-to-escape-sandbox');
    expect(await frame.contentFrame().locator('body').innerText()).toContain('better rail links');
    // As tall as its two short paragraphs, not a reader-sized box: the conversation scrolls, not each message.
    await expect.poll(() => frame.getAttribute('data-fitted')).toBe('true');
    const box = await frame.boundingBox();
    expect(box?.height).toBeGreaterThan(40);
    expect(box?.height).toBeLessThan(200);
    expect(await axeViolations()).toEqual([]);
    // Its header collapses it again.
    await item('long5').getByTestId('conversation-collapse').click();
    expect(await item('long5').getAttribute('data-expanded')).toBe('false');
  });

  it('moves between the conversation’s messages with n and p, and between conversations with j and k', async () => {
    // Open afresh, then move up to it from the keyboard.
    await row('thostile').click();
    await conversation().waitFor();
    await press('k');
    await expect.poll(() => conversation().getAttribute('data-thread-id')).toBe('tlong');
    await expect.poll(() => page.getByTestId('conversation-message').count()).toBe(4);
    // The first unread message is where n and p start: n opens long8 (collapsed) and moves to it, then long9.
    await press('n');
    await expect.poll(focusedMessage).toBe('long8');
    expect(await item('long8').getAttribute('data-expanded')).toBe('true');
    // Its long recipient list (eight) is folded behind "and 5 more".
    const more = item('long8').getByTestId('recipients-more');
    expect(await more.textContent()).toBe('and 5 more');
    await more.click();
    expect(await item('long8').getByTestId('recipients').innerText()).toContain('carol@example.com');
    await item('long8').screenshot({ path: join(SHOTS, 'recipients-open.png') });
    await press('n');
    await expect.poll(focusedMessage).toBe('long9');
    await press('n');
    await expect.poll(notice).toBe('No newer message in this conversation.');
    for (const id of ['long8', 'long7', 'long6', 'long5']) {
      await press('p');
      await expect.poll(focusedMessage).toBe(id);
    }
    // p opened the folded older ones on its way.
    expect(await item('long6').getAttribute('data-expanded')).toBe('true');
    await expect.poll(() => item('long5').getByTestId('message-frame').getAttribute('data-fitted')).toBe('true');
    await shot('conversation-np-light-1440');
    for (let i = 0; i < 4; i++) await press('p');
    await expect.poll(focusedMessage).toBe('long1');
    await press('p');
    await expect.poll(notice).toBe('No older message in this conversation.');

    // j / k: the next and previous conversation.
    await press('j');
    await expect.poll(() => conversation().getAttribute('data-thread-id')).toBe('thostile');
    await press('j');
    await expect.poll(() => conversation().getAttribute('data-thread-id')).toBe('tplain');
    await press('k');
    await expect.poll(() => conversation().getAttribute('data-thread-id')).toBe('thostile');
    // The single message's own reader parts are all there: the remote-images banner and the attachment.
    await item(seeded.hostileId).getByTestId('remote-images-banner').waitFor();
    expect(await item(seeded.hostileId).getByTestId('attachment').count()).toBe(1);
  });

  it('groups search results into conversations', async () => {
    await press('/');
    await page.keyboard.type('Lisbon');
    await press('Enter');
    await expect.poll(() => page.getByTestId('list-title').textContent()).toBe('Results for “Lisbon”');
    // The window title names what the window shows.
    expect(await page.title()).toBe('Search results — Mailmirror');
    // Several messages of the long conversation and the itinerary match: two rows, the long one counting its matches.
    const found = await router.invoke('messages:search', { accountId: seeded.accountId, query: 'Lisbon', limit: 100 });
    if (!found.ok) throw new Error(found.error.message);
    const inLong = found.value.messages.filter((m) => m.threadId === 'tlong').length;
    expect(inLong).toBeGreaterThan(1);
    expect(found.value.messages).toHaveLength(inLong + 1);
    await expect.poll(async () => (await firstRows(5, 'threadId')).sort()).toEqual(['tlong', 'tplain']);
    expect(await row('tlong').getByTestId('thread-count').textContent()).toBe(String(inLong));
    expect(await page.locator('.list-title .muted').textContent()).toBe(`2 conversations found · ${inLong + 1} messages`);
    await row('tlong').click();
    await expect.poll(() => page.getByTestId('conversation-message').count()).toBe(4);
    await press('Escape');
    await expect.poll(() => page.getByTestId('list-title').textContent()).toBe('Inbox');
  });

  it('looks right in light and dark, wide and small', async () => {
    await row('tlong').click();
    await conversation().waitFor();
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      expect(await axeViolations(), scheme).toEqual([]);
      for (const [w, hgt] of [
        [1440, 900],
        [1024, 700],
      ] as const) {
        await page.setViewportSize({ width: w, height: hgt });
        await page.waitForTimeout(150);
        await shot(`reader-${scheme}-${w}`);
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it('turns off in Settings: one row per message and the single-message reader, as before', async () => {
    await setConversations(false);
    await expect.poll(() => firstRows(5, 'messageId')).toEqual(['long9', 'long8', seeded.hostileId, 'plain0001', 'm00000']);
    expect(await rows().first().getAttribute('data-thread-id')).toBeNull();
    expect(await page.getByTestId('thread-count').count()).toBe(0);
    const inbox = page.locator('[data-testid="label-row"][data-label-id="INBOX"]');
    expect(await inbox.locator('.nav-total').textContent()).toBe('70');
    await rows().nth(1).click();
    await expect.poll(() => page.getByTestId('message-view').getAttribute('data-message-id')).toBe('long8');
    expect(await page.getByTestId('conversation-view').count()).toBe(0);
    await shot('messages-light-1440');
    // The choice is kept (settings.json), and back on it is conversations again.
    expect((await h.services.getSettings()).conversations).toBe(false);
    await setConversations(true);
    await expect.poll(() => firstRows(3, 'threadId')).toEqual(['tlong', 'thostile', 'tplain']);
    expect(await page.getByTestId('reader-empty').count()).toBe(1);
  });

  it('reads an open conversation again when a reply arrives, and opens the reply', async () => {
    await row('tlong').click();
    await expect.poll(shownItems).toEqual(['long1:closed', 'long7:open', 'long8:closed', 'long9:open']);
    // The user opens long8; then a reply is mirrored and the core says the Inbox changed.
    await item('long8').getByTestId('conversation-collapsed').click();
    const at = Date.UTC(2025, 5, 1, 16, 0, 0);
    saveMessageDetails(
      h.db,
      seeded.accountId,
      [
        {
          gmailId: 'long10', threadId: 'tlong', labelIds: ['INBOX', 'UNREAD'], historyId: '5200', internalDate: at, sizeEstimate: 900,
          snippet: 'One more thing: the venue needs our headcount by Friday.', subject: 'Re: Offsite planning',
          from: 'Alan Turing <alan@bletchley.example>', to: 'alice@example.com', cc: null, date: new Date(at).toUTCString(),
          messageIdHeader: '<long10@example.com>', references: '<long9@example.com>',
          textBody: 'One more thing: the venue needs our headcount by Friday.', htmlBody: null, attachments: [], parseError: null,
        },
      ],
      { insertMissing: true },
    );
    h.emit('messages:changed', { accountId: seeded.accountId, labelIds: ['INBOX', 'UNREAD'] });
    await expect.poll(() => row('tlong').getAttribute('data-message-count')).toBe('10');
    await expect.poll(shownItems).toEqual(['long1:closed', 'long7:open', 'long8:open', 'long9:open', 'long10:open']);
    expect(await row('tlong').locator('.msg-snippet').textContent()).toBe('One more thing: the venue needs our headcount by Friday.');
  });
});
