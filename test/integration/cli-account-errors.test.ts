// Everything that goes wrong on the command line ends as one clear line on stderr and a non-zero
// exit, never a stack trace: bad arguments, unreachable endpoints, a refused consent, no
// redis-server. A forged redirect is not an error at all: it is refused and the sign-in goes on. The CLI runs from source via tsx (test/helpers/cli-source.ts).
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator';
import { resolveConfig } from '../../src/main/config';
import { runInstalledAppFlow } from '../../src/main/gmail/oauth';
import { emulatorEnv } from '../helpers/cli';
import { mirrorTest } from '../helpers/fixtures';
import { runCliSource, spawnCliSource, waitForConnectUrl, type CliResult } from '../helpers/cli-source';

const it = mirrorTest({ cli: 'source', tempPrefix: 'mm-cli-errors-' });
let emu: Emulator;
let root: string;

it.beforeAll(({ emu: fileEmulator, fileDir }) => {
  emu = fileEmulator;
  root = fileDir;
  emu.addAccount('dave@example.com', { messages: 3, seed: 4 });
});

function env(extra: Record<string, string> = {}): Record<string, string> {
  return emulatorEnv(emu, join(root, 'data'), extra);
}

/** One line on stderr, nothing on stdout, no stack trace, a non-zero exit. */
function expectOneLineFailure(r: CliResult, pattern: RegExp): void {
  expect(r.code).not.toBe(0);
  expect(r.code).not.toBeNull();
  expect(r.stdout).toBe('');
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^mailmirror: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('mailmirror errors', () => {
  it('answers bad arguments with one line and exit code 2', { timeout: 300_000 }, async () => {
    const cases: Array<[string[], RegExp]> = [
      [[], /no command/],
      [['frobnicate'], /unknown command "frobnicate"/],
      [['account'], /account: say add, list or remove/],
      [['account', 'rename'], /unknown subcommand "rename"/],
      [['account', 'list', '--frob'], /unknown option --frob/],
      [['account', 'list', 'extra'], /unexpected argument "extra"/],
      [['account', 'remove'], /which account/],
      [['account', 'add', '--no-browser=yes'], /--no-browser does not take a value/],
      [['status', '--data-dir'], /--data-dir needs a value/],
      [['export', '--format', 'json'], /--account/],
      [['export', '--account', 'dave@example.com', '--format', 'csv'], /unknown format "csv"/],
      [['export', '--account', 'dave@example.com', '--format', 'mbox'], /--format mbox writes a file: give --out <file>/],
      [['export', '--account', 'dave@example.com', '--format', 'eml', '--out', '-'], /--format eml writes a folder of files/],
      [['export', '--account'], /--account needs a value/],
    ];
    for (const [args, pattern] of cases) {
      const r = await runCliSource(args, env());
      expectOneLineFailure(r, pattern);
      expect(r.code, args.join(' ')).toBe(2);
    }
  });

  it('prints usage for --help', async () => {
    const r = await runCliSource(['--help'], env());
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: mailmirror/);
    expect(r.stdout).toContain('account add [--no-browser]');
    expect(r.stdout).toContain('MAILMIRROR_OAUTH_REVOKE_URL');
  });

  it('explains bad configuration and unknown accounts in one line', async () => {
    expectOneLineFailure(await runCliSource(['status'], env({ MAILMIRROR_GMAIL_API_URL: 'not a url' })), /--gmail-api-url is not an http\(s\) URL/);
    expectOneLineFailure(await runCliSource(['account', 'add', '--no-browser'], env({ MAILMIRROR_CLIENT_ID: '' })), /no OAuth client is configured: .*mailmirror client set --file/);
    expectOneLineFailure(await runCliSource(['export', '--account', 'nobody@example.com', '--out', '-'], env()), /no account nobody@example\.com/);
    expectOneLineFailure(await runCliSource(['account', 'remove', 'nobody@example.com'], env()), /no account nobody@example\.com/);
  });

  it('names an unreachable token endpoint or Gmail API in one line', async () => {
    for (const [extra, pattern] of [
      [{ MAILMIRROR_OAUTH_TOKEN_URL: `http://127.0.0.1:${await closedPort()}/token` }, /cannot reach the OAuth token endpoint at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/],
      [{ MAILMIRROR_GMAIL_API_URL: `http://127.0.0.1:${await closedPort()}/` }, /cannot reach the Gmail API at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/],
    ] as const) {
      const run = spawnCliSource(['account', 'add', '--no-browser', '--data-dir', join(root, 'unreachable')], env(extra));
      const url = await waitForConnectUrl(run);
      const page = await (await fetch(url)).text();
      expect(page).toContain('could not connect');
      expectOneLineFailure({ ...(await run.result), stdout: '' }, pattern);
      expect(run.stdout()).toBe(`Open this URL to connect: ${url}\n`);
    }
  });

  it('reports a refused consent', async () => {
    const empty = await startEmulator({});
    try {
      // No account to consent with: the emulator redirects back with error=access_denied.
      const run = spawnCliSource(['account', 'add', '--no-browser'], {
        ...env(),
        MAILMIRROR_OAUTH_AUTH_URL: empty.oauth.authUrl,
        MAILMIRROR_CLIENT_ID: empty.clientId,
      });
      const url = await waitForConnectUrl(run);
      const page = await (await fetch(url)).text();
      expect(page).toContain('Access was not granted');
      expectOneLineFailure({ ...(await run.result), stdout: '' }, /access was not granted/);
    } finally {
      await empty.close();
    }
  });

  it('ignores a forged redirect and connects with the real consent that follows', async () => {
    const run = spawnCliSource(['account', 'add', '--no-browser', '--data-dir', join(root, 'forged')], env());
    const url = await waitForConnectUrl(run);
    const redirect = new URL(new URL(url).searchParams.get('redirect_uri')!);
    // Any local process can call the loopback callback: wrong state, no state, an error without a
    // state, a right-looking path with nothing in it. Each is refused and none ends the sign-in.
    const forged = [
      { code: '4/forged', state: 'not-the-state' },
      { code: '4/forged' },
      { error: 'access_denied', state: 'x' },
      { state: 'not-the-state' },
      {},
    ];
    for (const params of forged) {
      const u = new URL(redirect);
      for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
      const res = await fetch(u);
      expect(res.status, u.search).toBe(400);
      const text = await res.text();
      expect(text.length).toBeLessThan(1000);
      expect(text).not.toContain('4/forged');
    }
    expect(run.proc.exitCode).toBeNull();
    // The real consent still completes the flow.
    const page = await (await fetch(url)).text();
    expect(page).toContain('Connected dave@example.com');
    const r = await run.result;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Connected dave@example.com');
  });

  it('a sign-in that only saw forged answers times out, saying it ignored them', async () => {
    const config = resolveConfig({}, env({ MAILMIRROR_DATA_DIR: join(root, 'flow') }));
    let url = '';
    const flow = runInstalledAppFlow({ config, openBrowser: false, timeoutMs: 1500, onUrl: (u) => (url = u) });
    flow.catch(() => undefined);
    while (!url) await new Promise((r) => setTimeout(r, 10));
    const forged = new URL(new URL(url).searchParams.get('redirect_uri')!);
    forged.searchParams.set('code', '4/forged');
    forged.searchParams.set('state', 'not-the-state');
    expect((await fetch(forged)).status).toBe(400);
    await expect(flow).rejects.toThrow(/no answer from the browser within 2 s \(1 answer that did not match this sign-in ignored\)/);
  });

  it('says how to get redis-server when there is none', async () => {
    // An empty PATH folder: no redis-server (node itself is started by its absolute path); no REDIS_URL.
    const emptyBin = mkdtempSync(join(root, 'bin-'));
    const r = await runCliSource(['sync'], { ...env({ MAILMIRROR_DATA_DIR: join(root, 'no-redis') }), PATH: emptyBin });
    expectOneLineFailure(r, /redis-server/);
  });
});
