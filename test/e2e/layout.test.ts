// The mailbox's layout in Chromium over the browser host: panes resized by pointer and keyboard,
// within minimums, remembered across a restart of the host (a new port, so a new origin); the reading
// pane right, below or off; a sidebar whose labels scroll on their own; no sideways overflow from
// 800 px up, with the sidebar as a drawer in narrow windows. Screenshots of every mode.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { RENDERER, closeServed, ensureRendererBuilt, serveHarness } from '../helpers/renderer-host';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserHost, type BrowserHost } from '../../src/main/host/browser-host';
import type { IpcRouter } from '../../src/main/ipc/router';
import { launchChromium } from '../helpers/chromium';
import { createHarness, seedMailbox, type Harness, type Seeded } from '../helpers/ipc-harness';
import type { SyncStatus } from '../../src/shared/ipc';

const SHOTS = join(process.cwd(), 'test-artifacts', 'screens', 'layout');

let h: Harness;
let router: IpcRouter;
let host: BrowserHost;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let seeded: Seeded;

async function openPage(at: BrowserHost, viewport: { width: number; height: number }): Promise<void> {
  await context?.close();
  // A fresh context: no localStorage, as after `serve` restarts on another port.
  context = await browser.newContext({ viewport, colorScheme: 'light' });
  page = await context.newPage();
  await page.goto(at.url);
  await page.getByTestId('mailbox').waitFor();
  await page.getByTestId('message-row').first().waitFor();
}

const box = async (l: Locator) => {
  const b = await l.boundingBox();
  if (!b) throw new Error('not visible');
  return b;
};
const valueNow = async (l: Locator) => Number(await l.getAttribute('aria-valuenow'));
const settings = () => h.services.getSettings();
const listSplitter = () => page.getByTestId('splitter-list');
const sidebarSplitter = () => page.getByTestId('splitter-sidebar');

async function dragBy(l: Locator, dx: number, dy: number): Promise<void> {
  const b = await box(l);
  const x = b.x + b.width / 2;
  const y = b.y + b.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + dx / 2, y + dy / 2, { steps: 4 });
  await page.mouse.move(x + dx, y + dy, { steps: 4 });
  await page.mouse.up();
}

async function noSidewaysOverflow(): Promise<void> {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  expect(scroll).toBeLessThanOrEqual(client);
}

beforeAll(async () => {
  ensureRendererBuilt();
  mkdirSync(SHOTS, { recursive: true });
  h = await createHarness();
  seeded = await seedMailbox(h, { count: 300 });
  ({ router, host } = await serveHarness(h));
  browser = await launchChromium();
  await openPage(host, { width: 1440, height: 900 });
});

afterAll(async () => {
  await closeServed({ browser, host, router, h });
});

describe('mailbox layout', () => {
  it('has splitters a screen reader can read, between sidebar, list and reader', async () => {
    const s = sidebarSplitter();
    const l = listSplitter();
    for (const sp of [s, l]) {
      expect(await sp.getAttribute('role')).toBe('separator');
      expect(await sp.getAttribute('aria-orientation')).toBe('vertical');
      expect(await sp.getAttribute('tabindex')).toBe('0');
      const now = await valueNow(sp);
      expect(now).toBeGreaterThanOrEqual(Number(await sp.getAttribute('aria-valuemin')));
      expect(now).toBeLessThanOrEqual(Number(await sp.getAttribute('aria-valuemax')));
    }
    // The value is the width of the pane it controls, and the default list is wider than the old 385 px.
    expect((await box(page.locator('.list-pane'))).width).toBeCloseTo(await valueNow(l), 0);
    expect((await box(page.locator('.sidebar'))).width).toBeCloseTo(await valueNow(s), 0);
    expect(await valueNow(l)).toBeGreaterThan(440);
  });

  it('drags the list wider with the pointer, saves the size when let go, and stops at the minimums', async () => {
    const l = listSplitter();
    const before = await valueNow(l);
    await dragBy(l, 120, 0);
    expect(await valueNow(l)).toBe(before + 120);
    expect((await box(page.locator('.list-pane'))).width).toBeCloseTo(before + 120, 0);
    await expect.poll(async () => (await settings()).listWidth).toBe(before + 120);

    // Far past the left edge: the list keeps its minimum; far right: the reader keeps room to read.
    await dragBy(l, -1000, 0);
    expect(await valueNow(l)).toBe(280);
    expect((await box(page.locator('.list-pane'))).width).toBeCloseTo(280, 0);
    await dragBy(l, 2000, 0);
    expect((await box(page.locator('.reader-pane'))).width).toBeGreaterThanOrEqual(359);

    await dragBy(sidebarSplitter(), -500, 0);
    expect(await valueNow(sidebarSplitter())).toBe(200);
    await noSidewaysOverflow();
  });

  it('moves the splitters from the keyboard without moving the message cursor', async () => {
    await page.getByTestId('message-row').first().click();
    const opened = await page.getByTestId('message-view').getAttribute('data-message-id');
    const s = sidebarSplitter();
    await s.focus();
    const before = await valueNow(s);
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    expect(await valueNow(s)).toBe(before + 32);
    await page.keyboard.press('Shift+ArrowLeft');
    expect(await valueNow(s)).toBe(before + 32 - 64 < 200 ? 200 : before - 32);
    await page.keyboard.press('End');
    expect(await valueNow(s)).toBe(Number(await s.getAttribute('aria-valuemax')));
    await page.keyboard.press('Home');
    expect(await valueNow(s)).toBe(200);
    await page.keyboard.press('ArrowRight');
    expect(await valueNow(s)).toBe(216);
    await expect.poll(async () => (await settings()).sidebarWidth).toBe(216);

    const l = listSplitter();
    await l.focus();
    await page.keyboard.press('Home');
    for (let i = 0; i < 10; i++) await page.keyboard.press('ArrowRight');
    expect(await valueNow(l)).toBe(440);
    await expect.poll(async () => (await settings()).listWidth).toBe(440);
    // The same message is still open: the arrows moved the splitter, not the selection.
    expect(await page.getByTestId('message-view').getAttribute('data-message-id')).toBe(opened);
  });

  it('remembers the sizes after the host restarts on another port (a new origin, an empty localStorage)', async () => {
    const other = await startBrowserHost({ router, staticDir: RENDERER, port: 0 });
    const first = host;
    // The rest of the file goes on in the restarted host (a link opens the app only once).
    host = other;
    await first.close();
    expect(new URL(other.url).port).not.toBe(new URL(first.url).port);
    await openPage(other, { width: 1440, height: 900 });
    expect(await valueNow(sidebarSplitter())).toBe(216);
    expect(await valueNow(listSplitter())).toBe(440);
    expect((await box(page.locator('.list-pane'))).width).toBeCloseTo(440, 0);
    // Double click: back to the default width.
    await listSplitter().dblclick();
    await expect.poll(async () => (await settings()).listWidth).toBeNull();
    expect(await valueNow(listSplitter())).toBeGreaterThan(440);
  });

  it('puts the reading pane below the list from the toolbar, with a horizontal splitter', async () => {
    await page.getByTestId('reading-pane-toggle').click();
    // The menu opens on the current choice, with the arrows moving between the three.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('reading-pane-right');
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('reading-pane-below');
    await page.screenshot({ path: join(SHOTS, 'pane-menu-1440x900-light.png') });
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await settings()).readingPane).toBe('below');
    expect(await page.getByTestId('mailbox').getAttribute('data-reading-pane')).toBe('below');
    await page.getByTestId('message-row').nth(1).click();
    const list = await box(page.locator('.list-pane'));
    const reader = await box(page.locator('.reader-pane'));
    expect(reader.y).toBeGreaterThanOrEqual(list.y + list.height);
    expect(reader.x).toBeCloseTo(list.x, 0);
    expect(list.width).toBeCloseTo(reader.width, 0);
    // The subject line has the whole width beside the sidebar.
    expect((await box(page.locator('.msg-subject').first())).width).toBeGreaterThan(900);

    const l = listSplitter();
    expect(await l.getAttribute('aria-orientation')).toBe('horizontal');
    const opened = await page.getByTestId('message-view').getAttribute('data-message-id');
    const h0 = await valueNow(l);
    await l.focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    expect(await valueNow(l)).toBe(h0 + 32);
    expect(await page.getByTestId('message-view').getAttribute('data-message-id')).toBe(opened);
    await dragBy(l, 0, -1000);
    expect(await valueNow(l)).toBe(150);
    expect((await box(page.locator('.list-pane'))).height).toBeCloseTo(150, 0);
    await expect.poll(async () => (await settings()).listHeight).toBe(150);
    await dragBy(l, 0, 200);
    expect(await valueNow(l)).toBe(350);
    await noSidewaysOverflow();
  });

  it('turns the reading pane off in Settings: the list takes the page, a message opens in its place with a way back', async () => {
    await page.getByTestId('open-settings').click();
    const group = page.getByTestId('setting-reading-pane');
    expect(await group.getByRole('radio', { checked: true }).textContent()).toBe('Below');
    await group.getByRole('radio', { name: 'Off' }).click();
    await page.screenshot({ path: join(SHOTS, 'settings-reading-pane-1440x900-light.png') });
    await page.keyboard.press('Escape');
    await page.getByTestId('settings-dialog').waitFor({ state: 'detached' });
    await expect.poll(async () => (await settings()).readingPane).toBe('off');
    expect(await page.getByTestId('reading-pane-toggle').getAttribute('data-reading-pane')).toBe('off');

    // The message that was open stays open, now in place of the list.
    expect(await page.locator('.list-pane').isVisible()).toBe(false);
    await page.getByTestId('reader-back').click();
    await expect.poll(() => page.locator('.list-pane').isVisible()).toBe(true);

    const sidebar = await box(page.locator('.sidebar'));
    const list = await box(page.locator('.list-pane'));
    expect(list.x + list.width).toBeCloseTo(1440, 0);
    expect(list.x).toBeCloseTo(sidebar.x + sidebar.width + 1, 0);
    expect(await page.locator('.reader-pane').isVisible()).toBe(false);
    expect(await listSplitter().count()).toBe(0);

    const row = page.getByTestId('message-row').nth(3);
    const id = await row.getAttribute('data-message-id');
    await row.click();
    await page.getByTestId('message-view').waitFor();
    expect(await page.getByTestId('message-view').getAttribute('data-message-id')).toBe(id);
    expect(await page.locator('.list-pane').isVisible()).toBe(false);
    const reader = await box(page.locator('.reader-pane'));
    expect(reader.x).toBeCloseTo(list.x, 0);
    expect(reader.width).toBeCloseTo(list.width, 0);
    expect(await page.getByTestId('reader-back').textContent()).toContain('Back to Inbox');
    await page.screenshot({ path: join(SHOTS, 'off-open-1440x900-light.png') });

    await page.getByTestId('reader-back').click();
    await expect.poll(() => page.locator('.list-pane').isVisible()).toBe(true);
    expect(await page.locator('.reader-pane').isVisible()).toBe(false);
    // Back where it was: the row just read has the focus.
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-message-id'))).toBe(id);

    // Another label replaces the open message with that label's list.
    await row.click();
    await page.getByTestId('message-view').waitFor();
    await page.locator('[data-testid="label-row"][data-label-id="STARRED"]').click();
    await expect.poll(() => page.locator('.list-pane').isVisible()).toBe(true);
    expect(await page.getByTestId('list-title').textContent()).toBe('Starred');
  });

  it('keeps the labels scrolling on their own above a pinned sync panel at 1024×700', async () => {
    await page.setViewportSize({ width: 1024, height: 700 });
    await page.locator('[data-testid="label-row"][data-label-id="INBOX"]').click();
    const real = await h.services.syncStatus(seeded.accountId);
    const labelsInFlight = ['Inbox', 'Sent', 'Drafts', 'Starred', 'Important', 'Receipts', 'Travel', 'Work', 'Projects'].map((name, i) => ({
      labelId: `L${i}`,
      name,
      processed: i * 10,
      total: 3000,
    }));
    // A first sync in full swing: below Gmail's nine system labels, the user's own labels begin in view, not under
    // the sync panel (at this height it keeps its bar and count, not a line per label).
    h.override('syncStatus', async (): Promise<SyncStatus> => ({
      ...real,
      phase: 'fetching',
      processed: 1204,
      total: 96_000,
      percent: 1.3,
      initialSyncCompleted: false,
      labels: labelsInFlight,
    }));
    h.emit('sync:progress', { accountId: seeded.accountId });
    await expect.poll(() => page.getByTestId('sync-phase').textContent()).toContain('Mirroring');
    await page.waitForTimeout(300);
    const firstOwnFits = await page.evaluate(() => {
      const n = document.querySelector('[data-testid="label-nav"]')!.getBoundingClientRect();
      const own = document.querySelector('[role="tree"] [data-testid="label-row"]')!.getBoundingClientRect();
      return own.top >= n.top && own.bottom <= n.bottom;
    });
    await page.screenshot({ path: join(SHOTS, 'sidebar-first-sync-1024x700-light.png') });
    expect(firstOwnFits).toBe(true);

    // Failing too: the sync panel at its tallest (progress of each label, an error).

    h.override('syncStatus', async (): Promise<SyncStatus> => ({
      ...real,
      phase: 'fetching',
      processed: 1204,
      total: 96_000,
      percent: 1.3,
      initialSyncCompleted: false,
      offline: true,
      error: { code: 'OFFLINE', message: 'Cannot reach Gmail. Your mirror stays browsable; Mailmirror tries again by itself.' },
      labels: labelsInFlight,
    }));
    h.emit('sync:progress', { accountId: seeded.accountId });
    await page.getByTestId('offline-indicator').waitFor();
    await page.waitForTimeout(500); // the progress bar's width animates
    await page.screenshot({ path: join(SHOTS, 'sidebar-syncing-1024x700-light.png') });
    // Categories open: more labels than fit.
    await page.locator('.nav-section', { hasText: 'Categories' }).click();
    const nav = page.getByTestId('label-nav');
    const navBox = await box(nav);
    const sync = page.locator('.sync-panel');
    const syncBefore = await box(sync);
    // Room for nine rows of 32 px, not three.
    expect(navBox.height).toBeGreaterThanOrEqual(9 * 32);
    const visible = await page.evaluate(() => {
      const n = document.querySelector('[data-testid="label-nav"]')!.getBoundingClientRect();
      return [...document.querySelectorAll('[data-testid="label-row"]')].filter((r) => {
        const b = r.getBoundingClientRect();
        return b.top >= n.top && b.bottom <= n.bottom;
      }).length;
    });
    expect(visible).toBeGreaterThanOrEqual(8);
    // The sync panel ends inside the window, below the labels.
    expect(syncBefore.y + syncBefore.height).toBeLessThanOrEqual(700);
    expect(syncBefore.y).toBeGreaterThanOrEqual(navBox.y + navBox.height - 1);
    // Scroll the labels: the sync panel stays.
    const scrollable = await nav.evaluate((n) => n.scrollHeight > n.clientHeight);
    expect(scrollable).toBe(true);
    await nav.evaluate((n) => n.scrollTo(0, n.scrollHeight));
    expect(await nav.evaluate((n) => n.scrollTop)).toBeGreaterThan(0);
    expect((await box(sync)).y).toBeCloseTo(syncBefore.y, 0);
    await noSidewaysOverflow();
    // Offline at 800 px: the topbar's status still fits.
    await page.setViewportSize({ width: 800, height: 600 });
    await noSidewaysOverflow();
    await page.screenshot({ path: join(SHOTS, 'offline-800x600-light.png') });
    h.override('syncStatus', null);
    h.emit('sync:progress', { accountId: seeded.accountId });
    await page.getByTestId('offline-indicator').waitFor({ state: 'detached' });
  });

  it('has no sideways overflow at 800, 1024, 1440 and 1920 px in any reading-pane mode', async () => {
    for (const mode of ['right', 'below', 'off'] as const) {
      await page.getByTestId('reading-pane-toggle').click();
      await page.getByTestId(`reading-pane-${mode}`).click();
      for (const [width, height] of [
        [800, 600],
        [1024, 700],
        [1440, 900],
        [1920, 1080],
      ]) {
        await page.setViewportSize({ width, height });
        await expect.poll(() => page.getByTestId('mailbox').getAttribute('data-reading-pane')).toBe(mode);
        await noSidewaysOverflow();
        // Subjects stay readable: the subject line is never squeezed under 240 px.
        expect((await box(page.locator('.msg-subject').first())).width).toBeGreaterThan(240);
        if (mode === 'right') expect((await box(page.locator('.reader-pane'))).width).toBeGreaterThanOrEqual(359);
      }
    }
  });

  it('turns the sidebar into a drawer under 1000 px, opened from the topbar and closed by choosing a label', async () => {
    await page.getByTestId('reading-pane-toggle').click();
    await page.getByTestId('reading-pane-right').click();
    await page.setViewportSize({ width: 800, height: 600 });
    const sidebar = page.getByTestId('sidebar');
    await expect.poll(() => sidebar.isVisible()).toBe(false);
    expect(await sidebarSplitter().count()).toBe(0);
    // The list starts at the left edge.
    expect((await box(page.locator('.list-pane'))).x).toBe(0);
    const toggle = page.getByTestId('sidebar-toggle');
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    await toggle.click();
    await expect.poll(() => sidebar.isVisible()).toBe(true);
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    await expect.poll(async () => (await box(sidebar)).x).toBe(0);
    await noSidewaysOverflow();
    await page.screenshot({ path: join(SHOTS, 'drawer-800x600-light.png') });
    await page.locator('[data-testid="label-row"][data-label-id="SENT"]').click();
    await expect.poll(() => sidebar.isVisible()).toBe(false);
    expect(await page.getByTestId('list-title').textContent()).toBe('Sent');

    // Escape closes it too, and gives the focus back to the button.
    await toggle.click();
    await expect.poll(() => sidebar.isVisible()).toBe(true);
    // The focus went into the drawer, on the label shown.
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-label-id'))).toBe('SENT');
    await page.keyboard.press('Escape');
    await expect.poll(() => sidebar.isVisible()).toBe(false);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('sidebar-toggle');

    // Back above 1000 px the sidebar is in the page again.
    await page.setViewportSize({ width: 1024, height: 700 });
    await expect.poll(() => sidebar.isVisible()).toBe(true);
    expect(await toggle.count()).toBe(0);
  });

  it('screenshots every reading-pane mode at four sizes in light and dark', async () => {
    // At the default sizes (the page keeps working after a reload: this origin kept its session).
    await h.services.setSettings({ sidebarWidth: null, listWidth: null, listHeight: null });
    await page.reload();
    await page.getByTestId('message-row').first().waitFor();
    await page.locator('[data-testid="label-row"][data-label-id="INBOX"]').click();
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const mode of ['right', 'below', 'off'] as const) {
        await page.getByTestId('reading-pane-toggle').click();
        await page.getByTestId(`reading-pane-${mode}`).click();
        for (const [width, height] of [
          [800, 600],
          [1024, 700],
          [1440, 900],
          [1920, 1080],
        ]) {
          await page.setViewportSize({ width, height });
          if (await page.getByTestId('reader-back').isVisible()) await page.getByTestId('reader-back').click();
          await page.locator(`[data-testid="message-row"][data-message-id="${seeded.plainId}"], [data-testid="message-row"]`).first().click();
          await page.getByTestId('message-view').waitFor();
          await noSidewaysOverflow();
          await page.screenshot({ path: join(SHOTS, `${mode}-${width}x${height}-${scheme}.png`) });
        }
      }
    }
    await page.setViewportSize({ width: 800, height: 600 });
    await page.getByTestId('sidebar-toggle').click();
    await expect.poll(async () => (await box(page.getByTestId('sidebar'))).x).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'drawer-800x600-dark.png') });
    await page.getByTestId('drawer-scrim').click({ position: { x: 700, y: 300 } });
    await expect.poll(() => page.getByTestId('sidebar').isVisible()).toBe(false);
    await page.emulateMedia({ colorScheme: 'light' });
  });
});
