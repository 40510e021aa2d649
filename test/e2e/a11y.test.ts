// Accessibility in Chromium over the browser host, in the light and the dark theme: an axe-core audit of every
// screen (welcome, mailbox, reader, search, settings, a sync error) with no serious or critical violation;
// focus rings of 3:1 against what surrounds them; dialogs that keep and give back focus; counts with words;
// sync changes announced; errors in plain words with their codes only under "Details"; the unread count in
// the window title; and re-adding an account that is already connected saying so.
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserHost } from '../../src/main/host/browser-host';
import type { IpcRouter } from '../../src/main/ipc/router';
import { launchChromium } from '../helpers/chromium';
import { ensureRendererBuilt, serveHarness, closeServed } from '../helpers/renderer-host';
import { createHarness, HARNESS_EMAIL, seedMailbox, type Harness, type Seeded } from '../helpers/ipc-harness';
import type { SyncStatus } from '../../src/shared/ipc';
import { DatabaseIoError } from '../../src/main/db/errors';

const SHOTS = join(process.cwd(), 'test-artifacts', 'screens', 'a11y');
// Evaluated through the DevTools protocol rather than added as a <script>: the page's CSP (script-src 'self')
// rightly refuses inline scripts, and the audit must see the app as it ships, CSP included.
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const SCHEMES = ['light', 'dark'] as const;

type Violation = { id: string; impact: string | null; help: string; nodes: { target: unknown[]; failureSummary?: string }[] };


/**
 * axe-core over the app's chrome (the mail's own HTML in the sandboxed frame is the sender's, not ours): the
 * serious and critical violations, printed so a failure says what and where.
 */
async function audit(page: Page, screen: string): Promise<Violation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  // Colours mid-transition (a dialog fading in) are not what the user reads: let finite animations end first.
  await page.evaluate(() =>
    Promise.all(
      document
        .getAnimations()
        .filter((a) => a.effect?.getComputedTiming().iterations !== Infinity)
        .map((a) => a.finished.catch(() => undefined)),
    ),
  );
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: Violation[] }> } }).axe;
    const r = await axe.run({ exclude: [['[data-testid="message-frame"]']] }, { iframes: false, resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
  });
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  for (const v of bad) {
    console.error(`[axe ${screen}] ${v.impact} ${v.id}: ${v.help}`);
    for (const n of v.nodes.slice(0, 6)) console.error(`    ${JSON.stringify(n.target)} — ${(n.failureSummary ?? '').replace(/\s+/g, ' ')}`);
  }
  return bad;
}

/** WCAG's contrast ratio of two CSS colours as Chromium computes them (rgb()/rgba() over an opaque backdrop). */
function contrast(a: string, b: string): number {
  const lum = (c: string) => {
    const [r, g, bl] = (c.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number).map((v) => {
      const s = v / 255;
      return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/**
 * The focused element's indicator: its outline colour, width and style, and the colours it is drawn against
 * (the background behind it, and its own background, since an offset ring sits between the two).
 */
async function focusRing(page: Page): Promise<{ what: string; style: string; width: number; color: string; around: string; own: string }> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement;
    const cs = getComputedStyle(el);
    const opaque = (c: string) => c !== 'transparent' && !/rgba\([^)]*,\s*0\)$/.test(c);
    let p: HTMLElement | null = el.parentElement;
    let around = 'rgb(255, 255, 255)';
    while (p) {
      const bg = getComputedStyle(p).backgroundColor;
      if (opaque(bg)) {
        around = bg;
        break;
      }
      p = p.parentElement;
    }
    return {
      what: `${el.tagName.toLowerCase()}${el.dataset.testid ? `[${el.dataset.testid}]` : ''} ${el.getAttribute('aria-label') ?? el.textContent?.trim().slice(0, 30) ?? ''}`,
      style: cs.outlineStyle,
      width: parseFloat(cs.outlineWidth),
      color: cs.outlineColor,
      around,
      own: opaque(cs.backgroundColor) ? cs.backgroundColor : around,
    };
  });
}

async function expectVisibleRing(page: Page): Promise<void> {
  const ring = await focusRing(page);
  const msg = `focus ring of ${ring.what}: ${ring.style} ${ring.width}px ${ring.color} on ${ring.around}`;
  expect(ring.style, msg).not.toBe('none');
  expect(ring.width, msg).toBeGreaterThanOrEqual(2);
  expect(contrast(ring.color, ring.around), msg).toBeGreaterThanOrEqual(3);
}

let h: Harness;
let seeded: Seeded;
let router: IpcRouter;
let host: BrowserHost;
let hEmpty: Harness;
let routerEmpty: IpcRouter;
let hostEmpty: BrowserHost;
let browser: Browser;

beforeAll(async () => {
  ensureRendererBuilt();
  mkdirSync(SHOTS, { recursive: true });
  h = await createHarness();
  seeded = await seedMailbox(h, { count: 120 });
  ({ router, host } = await serveHarness(h));
  hEmpty = await createHarness();
  ({ router: routerEmpty, host: hostEmpty } = await serveHarness(hEmpty));
  browser = await launchChromium();
});

afterAll(async () => {
  await closeServed({ browser, host, router, h });
  await hostEmpty?.close();
  routerEmpty?.close();
  await hEmpty?.close();
});

describe.each(SCHEMES)('the %s theme', (scheme) => {
  let context: BrowserContext;
  let page: Page;
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}-${scheme}.png`) });

  beforeAll(async () => {
    context = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: scheme });
    page = await context.newPage();
  });
  afterAll(async () => {
    await context?.close();
  });

  it('welcome: no serious violation, and the focused buttons show a 3:1 ring', async () => {
    await page.goto(hostEmpty.newLink());
    await page.getByTestId('welcome').waitFor();
    expect(await page.evaluate(() => getComputedStyle(document.documentElement).colorScheme)).toContain(scheme);
    expect(await audit(page, `welcome ${scheme}`)).toEqual([]);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (document.activeElement as HTMLElement).dataset.testid)).toBe('connect-gmail');
    await expectVisibleRing(page);
    await shot('welcome-focus');
  });

  it('mailbox: no serious violation; counts read as words; the title carries the Inbox unread count', async () => {
    await page.goto(host.newLink());
    await page.getByTestId('mailbox').waitFor();
    await page.getByTestId('message-row').first().waitFor();
    const inbox = page.locator('[data-testid="label-row"][data-label-id="INBOX"]');
    const unread = Number(await inbox.getAttribute('data-messages-unread'));
    const total = Number(await inbox.getAttribute('data-messages-total'));
    expect(unread).toBeGreaterThan(0);
    const n = (v: number) => v.toLocaleString('en-US');
    // Chromium may put a space between the name and the words that follow it (separate flex items).
    expect(await page.getByRole('button', { name: new RegExp(`^Inbox ?, ${n(unread)} unread, ${n(total)} messages$`) }).count()).toBe(1);
    await expect.poll(() => page.title()).toBe(`Inbox (${n(unread)}) — Mailmirror`);
    // Every button has a name, icon-only ones included.
    const unnamed = await page.evaluate(() =>
      Array.from(document.querySelectorAll('button, [role="button"], a[href]'))
        .filter((b) => !(b.getAttribute('aria-label') || b.getAttribute('aria-labelledby') || b.textContent?.trim() || b.getAttribute('title')))
        .map((b) => b.outerHTML.slice(0, 120)),
    );
    expect(unnamed).toEqual([]);
    expect(await audit(page, `mailbox ${scheme}`)).toEqual([]);
    await shot('mailbox');
  });

  it('focus rings reach 3:1 on the toolbar, the labels and the selected label', async () => {
    await page.getByTestId('search-input').focus();
    for (let i = 0; i < 8; i++) {
      await page.keyboard.press('Tab');
      const tag = await page.evaluate(() => document.activeElement?.tagName);
      if (tag === 'BUTTON') await expectVisibleRing(page);
    }
    await page.locator('[data-testid="label-row"][data-label-id="INBOX"]').focus();
    await expectVisibleRing(page);
    await shot('label-focus');
    // A label with sub-labels opens and closes from the keyboard, and says which it is.
    const work = page.locator('[data-testid="label-row"][data-label-name="Work"]');
    const projects = page.locator('[data-testid="label-row"][data-label-name="Work/Projects"]');
    const item = page.locator('[role="treeitem"]').filter({ has: work }).first();
    expect(await item.getAttribute('aria-expanded')).toBe('true');
    await work.focus();
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => projects.count()).toBe(0);
    expect(await item.getAttribute('aria-expanded')).toBe('false');
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => projects.count()).toBe(1);
    expect(await item.getAttribute('aria-expanded')).toBe('true');
    // Up and Down walk the rows as a tree does, into the sub-labels and back; Enter opens the one reached.
    const focusedLabel = () => page.evaluate(() => document.activeElement?.getAttribute('data-label-name') ?? null);
    await page.keyboard.press('ArrowDown');
    expect(await focusedLabel()).toBe('Work/Projects');
    await page.keyboard.press('ArrowUp');
    expect(await focusedLabel()).toBe('Work');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('list-title').textContent()).toBe('Work/Projects');
    await page.keyboard.press('Home');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-label-id'))).toBe('INBOX');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('list-title').textContent()).toBe('Inbox');
  });

  it('reader: no serious violation with a message open', async () => {
    await page.locator('[data-testid="message-row"]').first().click();
    await page.getByTestId('message-view').waitFor();
    await page.getByTestId('message-subject').waitFor();
    expect(await audit(page, `reader ${scheme}`)).toEqual([]);
    await shot('reader');
  });

  it('search results: no serious violation', async () => {
    await page.getByTestId('search-input').fill('Lisbon');
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="message-row"]').first().waitFor();
    expect(await audit(page, `search ${scheme}`)).toEqual([]);
    await shot('search');
    await page.getByTestId('search-input').fill('');
    await page.keyboard.press('Escape');
    await page.locator('[data-testid="label-row"][data-label-id="INBOX"]').click();
  });

  it('settings: a labelled modal dialog that keeps focus inside and gives it back on close', async () => {
    const opener = page.getByTestId('open-settings');
    await opener.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Settings' });
    await dialog.waitFor();
    await page.getByTestId('setting-interval').waitFor();
    expect(await dialog.getAttribute('aria-modal')).toBe('true');
    expect(await audit(page, `settings ${scheme}`)).toEqual([]);
    await shot('settings');
    const inDialog = () => page.evaluate(() => !!document.activeElement?.closest('[role="dialog"]'));
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      expect(await inDialog(), `Tab ${i + 1} left the dialog`).toBe(true);
      seen.add(await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 80) ?? ''));
      if (await page.evaluate(() => document.activeElement?.tagName === 'BUTTON')) await expectVisibleRing(page);
    }
    // It cycled: more than a handful of distinct stops, and back round more than once in 40 presses.
    expect(seen.size).toBeGreaterThan(4);
    expect(seen.size).toBeLessThan(40);
    for (let i = 0; i < 15; i++) {
      await page.keyboard.press('Shift+Tab');
      expect(await inDialog(), `Shift+Tab ${i + 1} left the dialog`).toBe(true);
    }
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
    expect(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.testid)).toBe('open-settings');
  });

  it('a message’s More menu, View original and Export account: keyboard all the way, no serious violation', async () => {
    await page.locator(`[data-testid="message-row"][data-message-id="${seeded.hostileId}"]`).click();
    await page.getByTestId('message-view').waitFor();
    const more = page.getByTestId('message-more');
    await more.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('menu', { name: 'Message' }).waitFor();
    await expectVisibleRing(page);
    expect(await audit(page, `message menu ${scheme}`)).toEqual([]);
    await page.keyboard.press('Enter');
    const original = page.getByRole('dialog', { name: 'Original message' });
    await original.waitFor();
    // Not in the mirror as a whole (seeded without it): read from Gmail, which has it.
    await page.getByTestId('original-source').waitFor();
    expect(await audit(page, `view original ${scheme}`)).toEqual([]);
    await shot('view-original');
    for (let i = 0; i < 8; i++) {
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => !!document.activeElement?.closest('[role="dialog"]'))).toBe(true);
    }
    await page.keyboard.press('Escape');
    await expect.poll(() => original.count()).toBe(0);
    expect(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.testid)).toBe('message-more');

    await page.getByTestId('account-current').click();
    await page.getByRole('menuitem', { name: 'Export account…' }).click();
    const exportDialog = page.getByRole('dialog', { name: 'Export account' });
    await exportDialog.waitFor();
    await expect.poll(() => page.getByTestId('export-path').inputValue()).toMatch(/\.mbox$/);
    expect(await audit(page, `export ${scheme}`)).toEqual([]);
    await shot('export-account');
    // The format is one radio group: one Tab stop, arrows choose, and the proposed path follows the format.
    const mbox = page.getByRole('radio', { name: /One mbox file/ });
    await mbox.focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.getByRole('radio', { name: /A folder of \.eml files/ }).isChecked()).toBe(true);
    expect(await page.getByTestId('export-path').inputValue()).not.toMatch(/\.mbox$/);
    expect(await page.getByRole('textbox', { name: 'Save to folder' }).count()).toBe(1);
    await page.keyboard.press('Escape');
    await expect.poll(() => exportDialog.count()).toBe(0);
  });

  it('error screen: a failed sync in plain words, its code under Details, announced politely', async () => {
    const real = await h.services.syncStatus(seeded.accountId);
    const announcer = page.getByTestId('sync-announcer');
    expect(await announcer.getAttribute('aria-live')).toBe('polite');
    const show = (patch: Partial<SyncStatus>) => {
      h.override('syncStatus', async () => ({ ...real, ...patch }));
      h.emit('sync:progress', { accountId: seeded.accountId });
    };
    show({ phase: 'fetching', processed: 100, total: 5000, percent: 2, initialSyncCompleted: true });
    await expect.poll(() => announcer.textContent()).toBe('Sync: Mirroring messages.');
    // A progress tick is not news.
    show({ phase: 'fetching', processed: 900, total: 5000, percent: 18, initialSyncCompleted: true });
    await expect.poll(() => page.getByTestId('sync-progress').getAttribute('aria-valuenow')).toBe('18');
    expect(await announcer.textContent()).toBe('Sync: Mirroring messages.');

    show({
      phase: 'error',
      offline: false,
      error: { code: 'INTERNAL', message: 'Gmail answered HTTP 500 for https://gmail.googleapis.com/gmail/v1/users/me/messages/batch (backendError)' },
    });
    const error = page.getByTestId('sync-error');
    await error.waitFor();
    const words = (await error.getByTestId('error-text').textContent()) ?? '';
    expect(words).toBe('The last sync failed. Retry; if it fails again, restart Mailmirror.');
    expect(words).not.toMatch(/https?:|HTTP|backendError/);
    const details = error.locator('details');
    expect(await details.locator('summary').textContent()).toBe('Details');
    expect(await details.getAttribute('open')).toBeNull();
    expect(await details.locator('code').textContent()).toContain('backendError');
    await expect.poll(() => announcer.textContent()).toBe('Sync: Sync failed. The last sync failed. Retry; if it fails again, restart Mailmirror.');
    expect(await audit(page, `sync error ${scheme}`)).toEqual([]);
    await details.locator('summary').click();
    await page.waitForTimeout(300);
    await shot('sync-error');
    for (const [w, hgt] of [[1024, 700], [1920, 1080]] as const) {
      await page.setViewportSize({ width: w, height: hgt });
      await page.waitForTimeout(200);
      await page.screenshot({ path: join(SHOTS, `sync-error-${scheme}-${w}.png`) });
    }
    await page.setViewportSize({ width: 1440, height: 900 });
    expect(await audit(page, `sync error details ${scheme}`)).toEqual([]);

    show({
      phase: 'needs_reconnect',
      initialSyncCompleted: true,
      error: { code: 'AUTH_EXPIRED', message: "Google no longer accepts this account's authorization (invalid_grant): reconnect it; its mirrored mail is kept" },
    });
    await expect.poll(() => error.getByTestId('error-text').textContent()).toBe(
      'Gmail no longer accepts this account’s sign-in. Your mirrored mail is kept. Reconnect the account to resume syncing.',
    );
    expect(await page.getByTestId('sync-panel').locator('.sync-title, .error-text').allTextContents()).not.toContain('invalid_grant');
    // The mirror is complete: the panel shows the error and Reconnect, not a red bar at some percentage of nothing.
    expect(await page.getByTestId('sync-progress').count()).toBe(0);
    expect(await page.getByTestId('sync-percent').count()).toBe(0);
    await expect.poll(() => announcer.textContent()).toContain('Sync: Gmail access expired.');
    expect(await audit(page, `needs reconnect ${scheme}`)).toEqual([]);
    await shot('needs-reconnect');

    show({ phase: 'error', offline: true, error: { code: 'OFFLINE', message: 'Cannot reach Gmail (ENOTFOUND oauth2.googleapis.com)' } });
    await expect.poll(() => announcer.textContent()).toBe(
      'Sync: Offline — will retry. Gmail cannot be reached right now. Your mirrored mail stays readable. Check your internet connection; Mailmirror retries on its own.',
    );
    expect(await audit(page, `offline ${scheme}`)).toEqual([]);
    await shot('offline');

    h.override('syncStatus', null);
    h.emit('sync:progress', { accountId: seeded.accountId });
    await expect.poll(() => announcer.textContent()).toBe('Sync: Up to date.');
  });

  it('reader, list and attachment errors: plain words and one next step, the core’s own words only under Details', async () => {
    const real = h.services.mirror;
    const ioError = () => new DatabaseIoError('disk I/O error reading /home/alice/.config/Mailmirror/mailmirror.db (SQLITE_IOERR_SHORT_READ)');
    const failing = (which: 'message' | 'messagePage') =>
      h.override('mirror', Object.assign(Object.create(real) as typeof real, { [which]: () => { throw ioError(); } }));
    const expectPlain = async (notice: ReturnType<Page['getByTestId']>) => {
      const words = (await notice.getByTestId('error-text').textContent()) ?? '';
      expect(words).toMatch(/\. [A-Z].*\.$/); // what happened, then what to do
      expect(words).not.toMatch(/SQLITE|mailmirror\.db|\/home\//);
      const details = notice.locator('details');
      expect(await details.locator('code').isVisible()).toBe(false);
      await details.locator('summary').click();
      expect(await details.locator('code').textContent()).toContain('SQLITE_IOERR_SHORT_READ');
    };
    try {
      failing('message');
      await page.locator('[data-testid="message-row"]').nth(2).click();
      const readerError = page.getByTestId('message-error');
      await readerError.waitFor();
      await expectPlain(readerError);
      expect(await audit(page, `reader error ${scheme}`)).toEqual([]);
      await shot('reader-error');

      failing('messagePage');
      await page.locator('[data-testid="label-row"][data-label-id="STARRED"]').click();
      const listError = page.getByTestId('list-error');
      await listError.waitFor();
      await expectPlain(listError);
      expect(await audit(page, `list error ${scheme}`)).toEqual([]);
      await shot('list-error');
    } finally {
      h.override('mirror', null);
    }
    await page.locator('[data-testid="label-row"][data-label-id="INBOX"]').click();
    await page.locator('[data-testid="message-row"]').first().waitFor();
  });
});

describe('connecting', () => {
  it('a failed sign-in reads in plain words with one next step; the network code only under Details', async () => {
    const context = await browser.newContext({ viewport: { width: 1024, height: 700 }, colorScheme: 'light' });
    const page = await context.newPage();
    // The sign-in page opens, then Google cannot be reached (as when the network drops mid-sign-in).
    hEmpty.override('connectAccount', async ({ openUrl }) => {
      openUrl('https://accounts.google.com/o/oauth2/v2/auth?client_id=x');
      await new Promise((ok) => setTimeout(ok, 200));
      throw Object.assign(new Error('getaddrinfo ENOTFOUND oauth2.googleapis.com'), { code: 'ENOTFOUND' });
    });
    try {
      await context.route('https://accounts.google.com/**', (r) => r.fulfill({ body: 'consent' }));
      await page.goto(hostEmpty.newLink());
      const connect = page.getByTestId('connect-gmail');
      await connect.focus();
      const [popup] = await Promise.all([context.waitForEvent('page'), page.keyboard.press('Enter')]);
      await popup.close();
      const dialog = page.getByRole('dialog', { name: 'Connect Gmail' });
      const error = dialog.getByTestId('connect-error');
      await error.waitFor();
      expect(await error.getByTestId('error-text').textContent()).toBe(
        'Google cannot be reached, so the sign-in could not finish. Check your internet connection, then try again.',
      );
      expect(await error.getByTestId('error-text').textContent()).not.toContain('ENOTFOUND');
      expect(await error.locator('details code').textContent()).toContain('ENOTFOUND oauth2.googleapis.com [OFFLINE]');
      expect(await audit(page, 'connect error')).toEqual([]);
      await page.screenshot({ path: join(SHOTS, 'connect-error-light-1024.png') });
      // Closing gives focus back to the button that opened the dialog.
      await page.keyboard.press('Escape');
      await expect.poll(() => dialog.count()).toBe(0);
      expect(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.testid)).toBe('connect-gmail');
    } finally {
      hEmpty.override('connectAccount', null);
      await context.close();
    }
  });

  it('an account that is already connected says so', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'light' });
    const page = await context.newPage();
    try {
      await page.goto(host.newLink());
      await page.getByTestId('mailbox').waitFor();
      await page.getByTestId('account-current').click();
      h.emu.setConsentAccount(HARNESS_EMAIL);
      const [consent] = await Promise.all([context.waitForEvent('page'), page.getByTestId('add-account').click()]);
      await consent.waitForLoadState();
      const notice = page.getByTestId('connect-existing');
      await notice.waitFor({ timeout: 20_000 });
      expect(await page.getByRole('dialog', { name: 'Already connected' }).count()).toBe(1);
      expect(await notice.textContent()).toContain(`${HARNESS_EMAIL} is already connected`);
      expect(await page.getByTestId('account-current').textContent()).toContain(HARNESS_EMAIL);
      expect(await audit(page, 'already connected')).toEqual([]);
      await page.screenshot({ path: join(SHOTS, 'already-connected-light.png') });
      await page.getByTestId('connect-existing-ok').press('Enter');
      await expect.poll(() => notice.count()).toBe(0);
      // The menu item that opened it is gone with its menu: focus goes to the account switcher it belonged to.
      expect(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.testid)).toBe('account-current');
      await consent.close();
    } finally {
      await context.close();
    }
  });
});
