// Keyboard only, in Chromium over the browser host: read with j/k/n/p/Enter/u, select with x and *,
// search with / and Escape, jump with g i / g t, the `?` dialog (focus kept in and given back), the
// read-only notice for s and #, one Tab stop for the whole list — and all of it still working after
// the one mouse action, a click inside a message's sandboxed frame.
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserHost } from '../../src/main/host/browser-host';
import type { IpcRouter } from '../../src/main/ipc/router';
import { launchChromium } from '../helpers/chromium';
import { ensureRendererBuilt, serveHarness, closeServed } from '../helpers/renderer-host';
import { createHarness, seedMailbox, type Harness, type Seeded } from '../helpers/ipc-harness';

const SHOTS = join(process.cwd(), 'test-artifacts', 'screens', 'keyboard');

let h: Harness;
let router: IpcRouter;
let host: BrowserHost;
let browser: Browser;
let page: Page;
let seeded: Seeded;


beforeAll(async () => {
  ensureRendererBuilt();
  mkdirSync(SHOTS, { recursive: true });
  h = await createHarness();
  seeded = await seedMailbox(h, { count: 60 });
  ({ router, host } = await serveHarness(h));
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 }, colorScheme: 'light' });
  await page.goto(host.url);
  await page.getByTestId('message-row').first().waitFor();
});

afterAll(async () => {
  await closeServed({ browser, host, router, h });
});

const press = (key: string) => page.keyboard.press(key);

/** axe-core's serious and critical findings on the page as it stands (rule id and the first target). */
async function axeViolations(): Promise<string[]> {
  const source = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(source);
  const found = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document) => Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const r = await axe.run(document);
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, target: v.nodes[0]?.target.join(' ') ?? '' }));
  });
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.target}`);
}
const openId = () => page.getByTestId('message-view').getAttribute('data-message-id');
const title = () => page.getByTestId('list-title').textContent();
const notice = () => page.getByTestId('shortcut-notice').textContent();
/** What has focus: a row's message id, a test id, or the tag name. */
const focused = () =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el) return null;
    return el.dataset.messageId ? `row:${el.dataset.messageId}` : (el.dataset.testid ?? el.tagName.toLowerCase());
  });

// The seeded inbox, newest first: the hostile HTML message, the plain one, then m00000, m00001 (one
// conversation, t00000), m00002…
describe('keyboard-only use', () => {
  it('reaches the whole list with one Tab stop and takes the active row from the search box', async () => {
    const seen: string[] = [];
    for (let i = 0; i < 40; i++) {
      await press('Tab');
      seen.push(String(await focused()));
    }
    const rowStops = seen.filter((s) => s.startsWith('row:'));
    expect(rowStops.length).toBeGreaterThan(0);
    // Tab went round the page at least once and met the list only as its first row, each time.
    expect(new Set(rowStops)).toEqual(new Set([`row:${seeded.hostileId}`]));
    expect(await page.locator('[data-testid="message-row"][tabindex="0"]').count()).toBe(1);
    const list = page.getByRole('listbox', { name: 'Messages' });
    expect(await list.getAttribute('aria-activedescendant')).toBe(`msg-row-${seeded.hostileId}`);

    await press('/');
    expect(await focused()).toBe('search-input');
    await press('Escape');
    expect(await focused()).toBe(`row:${seeded.hostileId}`);
  });

  it('reads three messages with j, k, Enter, o and u; arrows and focus follow the cursor', async () => {
    await press('j');
    await expect.poll(openId).toBe(seeded.hostileId);
    await press('j');
    await expect.poll(openId).toBe(seeded.plainId);
    expect(await page.getByTestId('message-text').textContent()).toContain('Flight TP1234');
    await press('j');
    await expect.poll(openId).toBe('m00000');
    await press('k');
    await expect.poll(openId).toBe(seeded.plainId);
    const list = page.getByRole('listbox', { name: 'Messages' });
    expect(await list.getAttribute('aria-activedescendant')).toBe(`msg-row-${seeded.plainId}`);
    expect(await page.locator(`#msg-row-${seeded.plainId}`).getAttribute('aria-selected')).toBe('true');
    // The focus was on the list: it moved with the cursor, and the row is the Tab stop now.
    expect(await focused()).toBe(`row:${seeded.plainId}`);
    expect(await page.locator('[data-testid="message-row"][tabindex="0"]').getAttribute('data-message-id')).toBe(seeded.plainId);

    // u: back to the list, reader closed; o and Enter open the row under the cursor again.
    await press('u');
    await page.getByTestId('reader-empty').waitFor();
    expect(await focused()).toBe(`row:${seeded.plainId}`);
    await press('o');
    await expect.poll(openId).toBe(seeded.plainId);
    await press('u');
    await press('ArrowDown');
    await expect.poll(openId).toBe('m00000');
    expect(await focused()).toBe('row:m00000');
    await press('Enter');
    await expect.poll(openId).toBe('m00000');
    expect(await page.getByTestId('message-subject').textContent()).toBe('Status update #0');
    // Home and End within the list; the far row is scrolled to and focused.
    await press('End');
    await expect.poll(openId).toBe('m00059');
    await expect.poll(focused).toBe('row:m00059');
    expect(await page.locator('#msg-row-m00059').isVisible()).toBe(true);
    await press('Home');
    await expect.poll(openId).toBe(seeded.hostileId);
    await press('j');
    await press('j');
    await expect.poll(openId).toBe('m00000');
  });

  it('moves within the open conversation with n and p, and says when there is no further message', async () => {
    await press('p');
    await expect.poll(openId).toBe('m00001');
    await press('n');
    await expect.poll(openId).toBe('m00000');
    await press('n');
    await expect.poll(notice).toBe('No newer message in this conversation.');
    expect(await openId()).toBe('m00000');
  });

  it('selects with x, * a and * n, shown as checked rows', async () => {
    await press('x');
    await expect.poll(() => page.locator('#msg-row-m00000').getAttribute('aria-checked')).toBe('true');
    expect(await page.getByTestId('selection-count').textContent()).toContain('1 selected');
    await page.screenshot({ path: join(SHOTS, 'selection-1440-light.png') });
    // The list's roles and states (listbox, options checked and selected, active descendant) are valid ARIA.
    const inList = (await axeViolations()).filter((v) => v.includes('msg-'));
    expect(inList).toEqual([]);
    await press('x');
    await expect.poll(() => page.getByTestId('selection-count').count()).toBe(0);
    await press('*');
    await press('a');
    await expect.poll(() => page.getByTestId('selection-count').textContent()).toContain('62 selected');
    expect(await page.locator('[data-testid="message-row"][aria-checked="true"]').count()).toBe(await page.getByTestId('message-row').count());
    await press('*');
    await press('u');
    // Every third seeded message is unread, and the hostile one: 20 + 1.
    await expect.poll(() => page.getByTestId('selection-count').textContent()).toContain('21 selected');
    await press('*');
    await press('n');
    await expect.poll(() => page.getByTestId('selection-count').count()).toBe(0);
    expect(await openId()).toBe('m00000');
  });

  it('says politely, without blocking, that starring and deleting happen in Gmail', async () => {
    await press('s');
    await expect.poll(notice).toBe('Mailmirror is a read-only copy — star it in Gmail.');
    expect(await page.getByRole('status').filter({ hasText: 'read-only copy' }).count()).toBe(1);
    await page.waitForTimeout(250); // past the fade-in
    await page.screenshot({ path: join(SHOTS, 'notice-1440-light.png') });
    await press('#');
    await expect.poll(notice).toBe('Mailmirror is a read-only copy — delete it in Gmail.');
    // Not blocking: the next shortcut works at once.
    await press('k');
    await expect.poll(openId).toBe(seeded.plainId);
    await expect.poll(() => page.getByTestId('shortcut-notice').count(), { timeout: 6000 }).toBe(0);
  });

  it('searches with / and comes back with Escape', async () => {
    await press('/');
    await page.keyboard.type('TP1234');
    await press('Enter');
    await expect.poll(title).toContain('TP1234');
    await expect.poll(() => page.getByTestId('message-row').count()).toBe(1);
    await press('Escape');
    await expect.poll(title).toBe('Inbox');
    expect(await page.getByTestId('search-input').inputValue()).toBe('');
    await expect.poll(focused).toMatch(/^row:/);
    // Escape from the list (not the box) leaves search too.
    await press('/');
    await page.keyboard.type('zeppelin');
    await press('Enter');
    await expect.poll(() => page.getByTestId('message-row').first().getAttribute('data-message-id')).toBe(seeded.hostileId);
    await press('Tab');
    await press('Escape');
    await expect.poll(title).toBe('Inbox');
  });

  it('types a j into the search box instead of moving', async () => {
    const before = await page.getByRole('listbox', { name: 'Messages' }).getAttribute('aria-activedescendant');
    await press('/');
    await page.keyboard.type('jk?g');
    expect(await page.getByTestId('search-input').inputValue()).toBe('jk?g');
    expect(await page.getByTestId('shortcut-help').count()).toBe(0);
    expect(await page.getByRole('listbox', { name: 'Messages' }).getAttribute('aria-activedescendant')).toBe(before);
    await press('Escape');
    expect(await page.getByTestId('search-input').inputValue()).toBe('');
    // Modifier keys are the browser's: Ctrl+j does not move the cursor.
    await press('Control+j');
    expect(await page.getByRole('listbox', { name: 'Messages' }).getAttribute('aria-activedescendant')).toBe(before);
  });

  it('lists every shortcut in the ? dialog, keeps Tab inside it and gives focus back on Escape', async () => {
    const before = await focused();
    await press('?');
    const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await dialog.waitFor();
    await page.waitForTimeout(250);
    // Every shortcut of the issue is listed, each with what it does.
    const keys = (await dialog.locator('dt').allTextContents()).map((k) => k.replace(/\s+/g, ' ').trim());
    expect(keys).toEqual([
      'j or ↓', 'k or ↑', 'n', 'p', 'o or Enter', 'u', 'Home or End',
      'g then i', 'g then s', 'g then t', 'g then d', 'g then a',
      'x', '* then a', '* then n', '* then r', '* then u', '* then s', '* then t',
      '/', 'Esc', '?',
      's', 'e', '#', 'r', 'a', 'f', 'c', '!', 'Shift+i', 'Shift+u',
    ]);
    expect(await dialog.locator('dd').allTextContents()).not.toContain('');
    const text = (await dialog.textContent()) ?? '';
    for (const does of ['Older conversation', 'Back to the list', 'Sent', 'Select all (loaded)', 'Search mail', 'Star', 'Delete']) expect(text).toContain(does);
    await page.screenshot({ path: join(SHOTS, 'help-1440-light.png') });
    for (let i = 0; i < 6; i++) {
      await press(i % 2 ? 'Tab' : 'Shift+Tab');
      expect(await dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
    }
    // The dialog and what it is made of pass the audit (contrast of its text and keys included).
    const inDialog = (await axeViolations()).filter((v) => v.includes('shortcut') || v.includes('dialog') || v.includes('modal'));
    expect(inDialog).toEqual([]);
    // Shortcuts are off while it is open.
    await press('j');
    expect(await page.getByTestId('shortcut-help').count()).toBe(1);
    await press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
    expect(await focused()).toBe(before);
  });

  it('jumps to Sent with g t and back to the Inbox with g i', async () => {
    await press('g');
    await press('t');
    await expect.poll(title).toBe('Sent');
    await press('g');
    await press('d');
    await expect.poll(title).toBe('Drafts');
    await press('g');
    await press('s');
    await expect.poll(title).toBe('Starred');
    await press('g');
    await press('i');
    await expect.poll(title).toBe('Inbox');
    // A lone t (or g then a pause) is not a jump.
    await press('g');
    await page.waitForTimeout(1700);
    await press('t');
    await page.waitForTimeout(150);
    expect(await title()).toBe('Inbox');
    // From a focused label row, the jump lands in the new list rather than leaving the ring on the old label.
    await page.locator('[data-testid="label-row"][data-label-id="STARRED"]').focus();
    await press('g');
    await press('i');
    await expect.poll(title).toBe('Inbox');
    await expect.poll(focused).toMatch(/^row:/);
  });

  it('keeps every shortcut working after a click inside the message body', async () => {
    // The reader was cleared when the Inbox opened again (g i): j opens its first row, then the second.
    await page.locator(`[data-testid="message-row"][data-message-id="${seeded.hostileId}"]`).waitFor();
    await press('j');
    await press('j');
    await expect.poll(openId).toBe(seeded.plainId);
    await press('k');
    await expect.poll(openId).toBe(seeded.hostileId);
    const frame = page.frameLocator('[data-testid="message-frame"]');
    await expect.poll(() => frame.locator('body').textContent()).toContain('zeppelin numbers look great');
    // The one mouse action: a real click on the message text inside the sandboxed frame.
    await frame.locator('body').click({ position: { x: 40, y: 20 } });
    await expect.poll(focused).toBe('reader-pane');

    await press('j');
    await expect.poll(openId).toBe(seeded.plainId);
    await press('k');
    await expect.poll(openId).toBe(seeded.hostileId);
    await page.getByTestId('message-frame').waitFor();
    await frame.locator('body').click({ position: { x: 60, y: 40 } });
    await expect.poll(focused).toBe('reader-pane');
    await press('?');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    await press('Escape');
    await expect.poll(() => page.getByTestId('shortcut-help').count()).toBe(0);
    await frame.locator('body').click({ position: { x: 40, y: 20 } });
    await expect.poll(focused).toBe('reader-pane');
    await press('/');
    expect(await focused()).toBe('search-input');
    await press('Escape');
    await frame.locator('body').click({ position: { x: 40, y: 20 } });
    await expect.poll(focused).toBe('reader-pane');
    await press('g');
    await press('t');
    await expect.poll(title).toBe('Sent');
    await press('g');
    await press('i');
    await expect.poll(title).toBe('Inbox');
  });

  it('still copies text selected in the message body with Ctrl+C', async () => {
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: host.origin });
    await page.evaluate(() => navigator.clipboard.writeText('before'));
    const frame = page.frameLocator('[data-testid="message-frame"]');
    await page.locator(`[data-testid="message-row"][data-message-id="${seeded.hostileId}"]`).waitFor();
    await press('j'); // the Inbox was just re-opened (g i), with the reader cleared: j opens its first row
    await expect.poll(openId).toBe(seeded.hostileId);
    await frame.getByText('zeppelin', { exact: false }).first().dblclick({ position: { x: 10, y: 8 } });
    await expect.poll(focused).toBe('reader-pane');
    await press('Control+c');
    await page.waitForTimeout(200);
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText()), { timeout: 4000 }).not.toBe('before');
    // And the shortcuts are back right after.
    await page.waitForTimeout(1600);
    await press('j');
    await expect.poll(openId).toBe(seeded.plainId);
    await press('k');
    await expect.poll(openId).toBe(seeded.hostileId);
  });

  it('looks right in dark and at 1024×700 and 1920×1080', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.evaluate(() => (document.documentElement.dataset.theme = 'dark'));
    for (const [w, hgt] of [
      [1024, 700],
      [1920, 1080],
    ]) {
      await page.setViewportSize({ width: w, height: hgt });
      await press('?');
      await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
      await page.waitForTimeout(250); // past the fade-in
      await page.screenshot({ path: join(SHOTS, `help-${w}-dark.png`) });
      await press('Escape');
      await press('x');
      await press('s');
      await page.getByTestId('shortcut-notice').waitFor();
      await page.waitForTimeout(300);
      await page.screenshot({ path: join(SHOTS, `notice-selection-${w}-dark.png`) });
      await press('x');
    }
    await page.evaluate(() => (document.documentElement.dataset.theme = 'light'));
    await page.setViewportSize({ width: 1024, height: 700 });
    await press('?');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    await page.waitForTimeout(250);
    await page.screenshot({ path: join(SHOTS, 'help-1024-light.png') });
    await press('Escape');
  });
});
