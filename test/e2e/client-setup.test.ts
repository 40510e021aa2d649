// A desktop user with no environment variables: `mailmirror serve` against the Gmail emulator with no
// OAuth client configured. Connect Gmail opens the guided client setup; files that are not a Desktop app
// client are refused with what is wrong; the JSON of the emulator's client connects through the real
// consent redirect and the sync starts. Screenshots of each screen go to test-artifacts/screens/.
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, describe, expect } from 'vitest';
import type { Emulator } from '../../src/emulator';
import { installedClientJson } from '../../src/shared/oauth-client';
import { assertBuilt, emulatorEnv, servedUrl, spawnCli, stopCli, type RunningCli } from '../helpers/cli';
import { mirrorTest } from '../helpers/fixtures';
import { launchChromium } from '../helpers/chromium';
import { startTestRedis, type TestRedis } from '../helpers/redis';

const SHOTS = join(process.cwd(), 'test-artifacts', 'screens');
const EMAIL = 'desktop.user@example.com';
const SECRET = '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';

const it = mirrorTest({ emulator: { clientSecret: SECRET }, tempPrefix: 'mm-e2e-client-' });
let emu: Emulator;
let redis: TestRedis;
let dataDir: string;
let serve: RunningCli;
let url: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : e.isFile() ? [join(dir, e.name)] : [],
  );
}

it.beforeAll(async ({ emu: fileEmulator, fileDir }) => {
  assertBuilt();
  mkdirSync(SHOTS, { recursive: true });
  emu = fileEmulator;
  emu.addAccount(EMAIL, { messages: 300, seed: 16 });
  emu.setConsentAccount(EMAIL);
  redis = await startTestRedis();
  dataDir = fileDir;
  const env = emulatorEnv(emu, dataDir, { REDIS_URL: redis.url, MAILMIRROR_QUEUE_PREFIX: `e2eclient${process.pid}` });
  // As a desktop user has it: no client from the environment.
  delete env.MAILMIRROR_CLIENT_ID;
  delete env.MAILMIRROR_CLIENT_SECRET;
  serve = spawnCli(['serve', '--port', '0'], env);
  url = await servedUrl(serve);
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
  page = await context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await stopCli(serve);
  await redis?.stop();
});

const error = () => page.getByTestId('client-error');

async function upload(name: string, buffer: Buffer) {
  await page.getByTestId('client-file').setInputFiles({ name, mimeType: 'application/json', buffer });
}

describe('Connect Gmail with no OAuth client configured', () => {
  it('opens the guided setup: five numbered steps with links that open in the browser', async () => {
    await page.goto(url);
    await page.getByTestId('welcome').waitFor();
    await page.screenshot({ path: join(SHOTS, '01-welcome.png') });
    await page.getByTestId('connect-gmail').click();
    const setup = page.getByTestId('client-setup');
    await setup.waitFor();
    const steps = page.getByTestId('setup-step');
    expect(await steps.count()).toBe(5);
    expect(await steps.nth(3).textContent()).toContain('Desktop app');
    const links = await setup.locator('a').evaluateAll((as) => as.map((a) => [a.getAttribute('href'), a.getAttribute('target'), a.getAttribute('rel')]));
    expect(links).toEqual([
      ['https://console.cloud.google.com/projectcreate', '_blank', 'noopener noreferrer'],
      ['https://console.cloud.google.com/apis/library/gmail.googleapis.com', '_blank', 'noopener noreferrer'],
      ['https://console.cloud.google.com/auth/audience', '_blank', 'noopener noreferrer'],
      ['https://console.cloud.google.com/auth/clients/create', '_blank', 'noopener noreferrer'],
    ]);
    const notes = (await setup.textContent()) ?? '';
    expect(notes).toContain('7 days');
    expect(notes).toContain('Reconnect needed');
    expect(notes).toContain('2026 quota table');
    expect(notes).toContain('6,000 units');
    // The dialog is labelled, and the file input too.
    expect(await page.getByRole('dialog', { name: 'Set up Google sign-in' }).count()).toBe(1);
    expect(await page.getByLabel('Client JSON file').count()).toBe(1);
    await page.screenshot({ path: join(SHOTS, '02-setup.png'), fullPage: true });
    await page.getByTestId('connect-dialog').screenshot({ path: join(SHOTS, '02-setup-dialog.png') });
  });

  it('refuses a file that is not a Desktop app client, saying what is wrong', async () => {
    const cases: [string, Buffer, RegExp, string][] = [
      ['client_secret_web.json', Buffer.from(JSON.stringify({ web: { client_id: emu.clientId, client_secret: SECRET } })), /^client_secret_web\.json is a 'Web application' client; Mailmirror needs a 'Desktop app' client: create one under Credentials → Create credentials → OAuth client ID → Desktop app$/, '03-refused-web.png'],
      ['client_secret_nosecret.json', Buffer.from(JSON.stringify({ installed: { client_id: emu.clientId } })), /^client_secret_nosecret\.json has no client_secret — /, '04-refused-missing-secret.png'],
      ['notes.json', Buffer.from('client_id = abc'), /^notes\.json is not JSON: unexpected 'c' — /, '05-refused-not-json.png'],
      ['photo.json', Buffer.alloc(10 * 1024 * 1024, 0x41), /^photo\.json is 10\.0 MB; a Google client JSON is under 1 KB — pick the file named client_secret_….json$/, '06-refused-10mb.png'],
      ['credentials.json', Buffer.from(JSON.stringify({ client_id: emu.clientId, client_secret: SECRET })), /^credentials\.json is not a Google OAuth client file: it has no "installed" section/, '07-refused-wrong-shape.png'],
    ];
    for (const [name, buffer, text, shot] of cases) {
      await upload(name, buffer);
      await expect.poll(() => error().textContent(), { timeout: 10_000 }).toMatch(text);
      expect(await error().getAttribute('role')).toBe('alert');
      await page.getByTestId('connect-dialog').screenshot({ path: join(SHOTS, shot) });
    }
    // The pasted pair, with a wrong id.
    await page.getByTestId('client-toggle-paste').click();
    await page.getByLabel('Client ID').fill('my-project-client');
    await page.getByLabel('Client secret').fill(SECRET);
    await page.getByTestId('client-paste-save').click();
    await expect.poll(() => error().textContent()).toMatch(/"my-project-client" is not a Google OAuth client ID \(those end in \.apps\.googleusercontent\.com\)/);
    await page.getByTestId('connect-dialog').screenshot({ path: join(SHOTS, '08-refused-pasted-id.png') });
    await page.getByTestId('client-toggle-paste').click();
    // Nothing was saved.
    expect(filesUnder(dataDir).some((f) => f.endsWith('oauth-client.enc'))).toBe(false);
  });

  it('the dark theme, in a smaller window, draws the setup too', async () => {
    // The printed link opens Mailmirror once; the session it gave lives in the first context's
    // localStorage for this origin, which the second context takes along (as a second tab would).
    const dark = await browser.newContext({ viewport: { width: 1024, height: 720 }, colorScheme: 'dark', storageState: await context.storageState() });
    const p = await dark.newPage();
    await p.goto(new URL(url).origin);
    await p.getByTestId('connect-gmail').click();
    await p.getByTestId('client-setup').waitFor();
    await p.getByTestId('client-file').setInputFiles({ name: 'client_secret_web.json', mimeType: 'application/json', buffer: Buffer.from('{"web":{}}') });
    await p.getByTestId('client-error').waitFor();
    await p.screenshot({ path: join(SHOTS, '09-setup-dark.png') });
    await dark.close();
  });

  it("connects with the JSON of the emulator's Desktop client, through the real consent redirect, and syncs", async () => {
    const json = installedClientJson({ clientId: emu.clientId, clientSecret: SECRET }, { projectId: 'mailmirror-e2e', authUri: emu.oauth.authUrl, tokenUri: emu.oauth.tokenUrl });
    const [consent] = await Promise.all([context.waitForEvent('page'), upload('client_secret_emulator.json', Buffer.from(json))]);
    await consent.waitForLoadState();
    // The emulator consents at once and redirects to the app's loopback, which answers this tab.
    await expect.poll(() => consent.locator('body').textContent(), { timeout: 30_000 }).toContain(`Connected ${EMAIL}`);
    expect(new URL(consent.url()).pathname).toBe('/oauth2/callback');
    await page.getByTestId('mailbox').waitFor({ timeout: 60_000 });
    await consent.close();
    expect(await page.getByTestId('account-current').textContent()).toContain(EMAIL);
    const bar = page.getByRole('progressbar');
    await expect.poll(async () => Number(await bar.getAttribute('aria-valuenow')), { timeout: 120_000, interval: 200 }).toBeGreaterThan(0);
    await page.screenshot({ path: join(SHOTS, '10-connected-syncing.png') });
    await expect.poll(() => bar.getAttribute('aria-valuenow'), { timeout: 180_000, interval: 250 }).toBe('100');
  });

  it('settings show the saved client and where it comes from, with Change… and Remove', async () => {
    await page.getByTestId('open-settings').click();
    const row = page.getByTestId('client-setting');
    await row.waitFor();
    expect(await row.textContent()).toContain('Your own OAuth client');
    expect(await page.getByTestId('client-setting-id').textContent()).toBe(emu.clientId);
    expect(await page.getByTestId('client-change').textContent()).toBe('Change…');
    await page.getByTestId('client-remove').waitFor();
    await page.getByTestId('settings-dialog').screenshot({ path: join(SHOTS, '11-settings-client.png') });
    await page.getByTestId('client-remove').click();
    await page.getByTestId('client-remove-confirm').waitFor();
    await page.getByTestId('settings-dialog').screenshot({ path: join(SHOTS, '12-settings-client-remove.png') });
    await page.keyboard.press('Escape');
  });

  it('never shows or stores the client secret in clear', async () => {
    const html = await page.content();
    expect(html).not.toContain(SECRET);
    expect(serve.stdout() + serve.stderr()).not.toContain(SECRET);
    for (const f of filesUnder(dataDir)) expect(readFileSync(f).includes(Buffer.from(SECRET)), f).toBe(false);
  });
});
