// "Export account…" of a large mirror in Chromium over the browser host: the window shows how far the export is
// (messages written of how many, bytes, a progress bar), "Stop export" ends it with nothing under its name, and an
// export that runs to the end says what it wrote. Screenshots of the export running and stopped.
import type { gmail_v1 } from 'googleapis';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveMessageDetails } from '../../src/main/db';
import type { BrowserHost } from '../../src/main/host/browser-host';
import type { IpcRouter } from '../../src/main/ipc/router';
import { parseGmailMessage } from '../../src/main/sync/parse-message';
import { launchChromium } from '../helpers/chromium';
import { connectHarnessAccount, createHarness, HARNESS_EMAIL, type Harness } from '../helpers/ipc-harness';
import { closeServed, ensureRendererBuilt, serveHarness } from '../helpers/renderer-host';

const SHOTS = join(process.cwd(), 'test-artifacts', 'screenshots');
/** Enough messages that writing them as .eml files takes a few seconds, so the window can be watched and stopped. */
const MESSAGES = 6000;

let h: Harness;
let router: IpcRouter;
let host: BrowserHost;
let browser: Browser;
let page: Page;
let out: string;

function original(n: number): Buffer {
  const body = `Notes for week ${n}.\r\n\r\n${'The plan holds; details follow in the next message. '.repeat(20)}\r\n`;
  return Buffer.from(
    `From: Ann <ann@example.com>\r\nTo: ${HARNESS_EMAIL}\r\nSubject: weekly notes ${n}\r\nMessage-ID: <w${n}@example.com>\r\n` +
      `Date: ${new Date(Date.UTC(2025, 0, 1) + n * 60_000).toUTCString()}\r\n\r\n${body}`,
  );
}

async function openExport(): Promise<void> {
  await page.getByTestId('account-current').click();
  await page.getByRole('menuitem', { name: 'Export account…' }).click();
  await page.getByTestId('export-dialog').waitFor();
  await page.getByRole('radio', { name: /A folder of \.eml files/ }).check();
}

beforeAll(async () => {
  ensureRendererBuilt();
  mkdirSync(SHOTS, { recursive: true });
  h = await createHarness();
  const accountId = await connectHarnessAccount(h);
  await h.dropQueued();
  for (let start = 0; start < MESSAGES; start += 500) {
    const batch = Array.from({ length: Math.min(500, MESSAGES - start) }, (_, i) => {
      const n = start + i;
      const id = (0x18e0000000000000n + BigInt(n)).toString(16);
      const msg: gmail_v1.Schema$Message = {
        id, threadId: id, labelIds: ['INBOX'], historyId: '10', internalDate: String(Date.UTC(2025, 0, 1) + n * 60_000),
        raw: original(n).toString('base64url'),
      };
      return parseGmailMessage(msg);
    });
    saveMessageDetails(h.db, accountId, batch, { insertMissing: true });
  }
  ({ router, host } = await serveHarness(h));
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await page.goto(host.url);
  await page.getByTestId('mailbox').waitFor();
  out = mkdtempSync(join(tmpdir(), 'mm-e2e-export-'));
}, 120_000);

afterAll(async () => {
  await closeServed({ browser, host, router, h });
  if (out) rmSync(out, { recursive: true, force: true });
});

describe('Export account… of a large mirror', () => {
  it('shows how far it is, and Stop export leaves nothing under its name', async () => {
    await openExport();
    const folder = join(out, 'stopped');
    await page.getByTestId('export-path').fill(folder);
    await page.getByTestId('export-run').click();
    const text = page.getByTestId('export-progress-text');
    await expect.poll(() => text.textContent(), { timeout: 30_000 }).toMatch(/^Writing [1-9][\d,]* of 6,000 messages · /);
    const bar = page.getByTestId('export-progress');
    expect(Number(await bar.getAttribute('aria-valuenow'))).toBeGreaterThanOrEqual(0);
    expect(await bar.getAttribute('aria-valuetext')).toMatch(/of 6,000 messages/);
    await page.screenshot({ path: join(SHOTS, 'export-running.png') });

    await page.getByTestId('export-stop').click();
    const stopped = page.getByTestId('export-stopped');
    await stopped.waitFor({ timeout: 30_000 });
    expect(await stopped.textContent()).toBe(`Export stopped: nothing was written to ${folder}.`);
    expect(await page.getByTestId('export-error').count()).toBe(0);
    expect(await page.getByTestId('export-busy').count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'export-stopped.png') });
    expect(existsSync(folder)).toBe(false);
    // No temporary folder left beside it either.
    expect(readdirSync(out)).toEqual([]);
  });

  it('runs to the end when left alone, and says what it wrote', async () => {
    const folder = join(out, 'whole');
    await page.getByTestId('export-path').fill(folder);
    await page.getByTestId('export-run').click();
    await page.getByTestId('export-result').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('export-count').textContent()).toMatch(/^Exported 6,000 messages/);
    expect(readdirSync(folder)).toHaveLength(MESSAGES);
    expect(await page.getByTestId('export-busy').count()).toBe(0);
  });
});
