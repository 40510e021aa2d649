// `mailmirror account …` run as a child process against the emulator: connecting through the real
// loopback OAuth flow, several accounts, removal (revoke + cascade), tokens never in clear, and an
// invalid_grant flagging the account while keeping its data. The CLI runs from source via tsx
// (test/helpers/cli-source.ts), so no build is needed first.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import type { Emulator } from '../../src/emulator';
import { resolveConfig } from '../../src/main/config';
import { openDatabase, type Db } from '../../src/main/db/client';
import { getAccountByEmail } from '../../src/main/db/accounts';
import { tokenRepository } from '../../src/main/db/tokens';
import { upsertLabels } from '../../src/main/db/labels';
import { saveMessageDetails } from '../../src/main/db';
import { authorizedClient, isInvalidGrant } from '../../src/main/gmail/account-auth';
import { FileKeySecretBox } from '../../src/main/gmail/secret-box';
import { loadTokens } from '../../src/main/gmail/token-store';
import { emulatorEnv } from '../helpers/cli';
import { mirrorTest } from '../helpers/fixtures';
import { addAccountSource, runCliSource, spawnCliSource, waitForConnectUrl } from '../helpers/cli-source';
import { parsedMessage } from '../helpers/parsed-message';

const ALICE = 'alice@example.com';
const BOB = 'bob@example.com';
const CAROL = 'carol@example.com';

const it = mirrorTest({ cli: 'source', tempPrefix: 'mm-cli-account-' });
let emu: Emulator;
let root: string;

it.beforeAll(({ emu: fileEmulator, fileDir }) => {
  emu = fileEmulator;
  root = fileDir;
  emu.addAccount(ALICE, { messages: 5, seed: 1 });
  emu.addAccount(BOB, { messages: 5, seed: 2 });
  emu.addAccount(CAROL, { messages: 5, seed: 3 });
});

let dirs = 0;
function newDataDir(): string {
  return join(root, `data-${++dirs}`);
}

/** Points the CLI at the emulator, half through flags (in `args`) and half through the environment. */
function cliEnv(dataDir: string): Record<string, string> {
  return emulatorEnv(emu, dataDir);
}

function configFor(dataDir: string) {
  return resolveConfig({}, cliEnv(dataDir));
}

function withDb<T>(dataDir: string, fn: (db: Db) => T): T {
  const db = openDatabase(join(dataDir, 'mailmirror.db'));
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

const message = (gmailId: string, labelIds: string[], subject: string) =>
  parsedMessage(gmailId, {
    labelIds, historyId: '100', sizeEstimate: 100, snippet: 'hello', subject, from: 'x@example.com', to: 'y@example.com',
    textBody: 'body text',
  });

/** Mirrored data for an account, written the way the sync writes it. */
function seedMirror(dataDir: string, email: string): void {
  withDb(dataDir, (db) => {
    const id = getAccountByEmail(db, email)!.id;
    upsertLabels(db, id, [
      { id: 'INBOX', name: 'INBOX', type: 'system', messagesTotal: 2, messagesUnread: 1, threadsTotal: 2, threadsUnread: 1 },
      { id: 'Label_1', name: 'Work/Projects', type: 'user', messagesTotal: 1, messagesUnread: 0, threadsTotal: 1, threadsUnread: 0 },
    ], { deleteMissing: false });
    saveMessageDetails(db, id, [message('m1', ['INBOX', 'UNREAD'], 'First'), message('m2', ['INBOX', 'Label_1'], 'Second')], { insertMissing: true });
  });
}

function rowCounts(dataDir: string, accountId: number): Record<string, number> {
  return withDb(dataDir, (db) => {
    const count = (sql: string) => (db.sqlite.prepare(sql).get(accountId) as { n: number }).n;
    return {
      labels: count('SELECT count(*) AS n FROM labels WHERE account_id = ?'),
      messages: count('SELECT count(*) AS n FROM messages WHERE account_id = ?'),
      messageLabels: count('SELECT count(*) AS n FROM message_labels WHERE account_id = ?'),
    };
  });
}

async function listJson(dataDir: string): Promise<Array<Record<string, unknown>>> {
  const r = await runCliSource(['account', 'list', '--json'], cliEnv(dataDir));
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Array<Record<string, unknown>>;
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

// Every step is a fresh CLI process (a few seconds each on a busy 2-core machine).
const SLOW = { timeout: 300_000 };

describe('mailmirror account', () => {
  it('connects through the printed URL, lists, adds a second account, and removes one with its data', SLOW, async () => {
    const dataDir = newDataDir();
    emu.setConsentAccount(ALICE);
    const added = await addAccountSource(cliEnv(dataDir));
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    // The output contract: exactly the URL line, then the connected address.
    expect(added.stdout).toBe(`Open this URL to connect: ${added.url}\nConnected ${ALICE}\n`);
    expect(added.page).toContain('You can close this tab');
    const auth = new URL(added.url);
    expect(auth.origin + auth.pathname).toBe(emu.oauth.authUrl);
    expect(auth.searchParams.get('code_challenge_method')).toBe('S256');
    expect(auth.searchParams.get('scope')).toBe('https://www.googleapis.com/auth/gmail.readonly');
    expect(auth.searchParams.get('access_type')).toBe('offline');
    expect(auth.searchParams.get('state')).toMatch(/^[\w-]{20,}$/);
    expect(new URL(auth.searchParams.get('redirect_uri')!).hostname).toBe('127.0.0.1');
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dataDir, 'secret.key')).mode & 0o777).toBe(0o600);

    expect(await listJson(dataDir)).toEqual([{
      email: ALICE, status: 'active', historyId: null, initialSyncCompleted: false, labelSyncCompleted: false,
      lastFullSyncAt: null, lastIncrementalSyncAt: null, lastError: null,
    }]);

    emu.setConsentAccount(BOB);
    const second = await addAccountSource(cliEnv(dataDir));
    expect(second.code).toBe(0);
    expect(second.stdout.trim().split('\n').pop()).toBe(`Connected ${BOB}`);
    expect((await listJson(dataDir)).map((a) => a.email)).toEqual([ALICE, BOB]);

    const plain = await runCliSource(['account', 'list'], cliEnv(dataDir));
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain(ALICE);
    expect(plain.stdout).toContain(BOB);

    seedMirror(dataDir, BOB);
    seedMirror(dataDir, ALICE);
    const bobId = withDb(dataDir, (db) => getAccountByEmail(db, BOB)!.id);
    const bobRefresh = withDb(dataDir, (db) => loadTokens(tokenRepository(db), new FileKeySecretBox(dataDir), bobId)!.refresh_token!);
    expect(rowCounts(dataDir, bobId)).toEqual({ labels: 2, messages: 2, messageLabels: 4 });
    const revocationsBefore = emu.stats().oauth.revocations;

    const removed = await runCliSource(['account', 'remove', BOB], cliEnv(dataDir));
    expect(removed.stderr).toBe('');
    expect(removed.code).toBe(0);
    expect(removed.stdout).toContain(BOB);
    expect((await listJson(dataDir)).map((a) => a.email)).toEqual([ALICE]);
    expect(rowCounts(dataDir, bobId)).toEqual({ labels: 0, messages: 0, messageLabels: 0 });
    const aliceId = withDb(dataDir, (db) => getAccountByEmail(db, ALICE)!.id);
    expect(rowCounts(dataDir, aliceId)).toEqual({ labels: 2, messages: 2, messageLabels: 4 });

    // The grant was revoked at the authorization server: its refresh token no longer works.
    expect(emu.stats().oauth.revocations).toBe(revocationsBefore + 1);
    const refresh = await fetch(emu.oauth.tokenUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: bobRefresh, client_id: emu.clientId, client_secret: emu.clientSecret }),
    });
    expect(refresh.status).toBe(400);
    expect(((await refresh.json()) as { error: string }).error).toBe('invalid_grant');

    const again = await runCliSource(['account', 'remove', BOB], cliEnv(dataDir));
    expect(again.code).not.toBe(0);
    expect(again.stderr.trim().split('\n')).toEqual([expect.stringContaining(BOB)]);
  });

  it('keeps every token out of the data folder, the output and the export in clear', SLOW, async () => {
    const dataDir = newDataDir();
    emu.setConsentAccount(ALICE);
    const outputs: string[] = [];
    const added = await addAccountSource(cliEnv(dataDir));
    expect(added.code).toBe(0);
    outputs.push(added.stdout, added.stderr, added.page);
    seedMirror(dataDir, ALICE);

    const config = configFor(dataDir);
    const tokens: string[] = [];
    await withDbAsync(dataDir, async (db) => {
      const box = new FileKeySecretBox(dataDir);
      const id = getAccountByEmail(db, ALICE)!.id;
      const first = loadTokens(tokenRepository(db), box, id)!;
      tokens.push(first.access_token!, first.refresh_token!);
      // A refresh, persisted (encrypted) by the account's client.
      const client = authorizedClient({ tokenRepo: tokenRepository(db), config, box }, id);
      client.setCredentials({ ...client.credentials, expiry_date: Date.now() - 1000 });
      const { token } = await client.getAccessToken();
      expect(token).toBeTruthy();
      expect(token).not.toBe(first.access_token);
      const after = loadTokens(tokenRepository(db), box, id)!;
      expect(after.access_token).toBe(token);
      expect(after.refresh_token).toBe(first.refresh_token);
      tokens.push(token!);
    });
    expect(emu.stats().oauth.refreshes).toBeGreaterThan(0);

    for (const args of [['account', 'list'], ['account', 'list', '--json'], ['status'], ['status', '--json'],
      ['export', '--account', ALICE, '--format', 'json', '--out', '-'],
      ['export', '--account', ALICE, '--format', 'json', '--out', join(dataDir, 'export.json')]]) {
      const r = await runCliSource(args, cliEnv(dataDir));
      expect(r.code).toBe(0);
      outputs.push(r.stdout, r.stderr);
    }
    expect(JSON.parse(readFileSync(join(dataDir, 'export.json'), 'utf8')).account).toBe(ALICE);

    const files = filesUnder(dataDir);
    expect(files.map((f) => f.slice(dataDir.length + 1))).toEqual(expect.arrayContaining(['mailmirror.db', 'secret.key', 'export.json']));
    for (const t of tokens) {
      expect(t.length).toBeGreaterThan(20);
      for (const f of files) expect(readFileSync(f).includes(Buffer.from(t)), `${t.slice(0, 6)}… in ${f}`).toBe(false);
      for (const o of outputs) expect(o.includes(t)).toBe(false);
    }
  });

  it('flags the account needs_reconnect on invalid_grant, keeps its data, and reconnects', SLOW, async () => {
    const dataDir = newDataDir();
    emu.setConsentAccount(CAROL);
    expect((await addAccountSource(cliEnv(dataDir))).code).toBe(0);
    seedMirror(dataDir, CAROL);
    const exportArgs = ['export', '--account', CAROL, '--format', 'json', '--out', '-'];
    const before = await runCliSource(exportArgs, cliEnv(dataDir));
    expect(before.code).toBe(0);
    expect(JSON.parse(before.stdout).messages).toHaveLength(2);

    emu.account(CAROL).revokeTokens();
    let refreshed: unknown;
    await withDbAsync(dataDir, async (db) => {
      const box = new FileKeySecretBox(dataDir);
      const id = getAccountByEmail(db, CAROL)!.id;
      const secrets = loadTokens(tokenRepository(db), box, id)!;
      const client = authorizedClient({ tokenRepo: tokenRepository(db), config: configFor(dataDir), box }, id);
      client.setCredentials({ ...client.credentials, expiry_date: Date.now() - 1000 });
      try {
        await client.getAccessToken();
      } catch (e) {
        refreshed = e;
      }
      expect(isInvalidGrant(refreshed)).toBe(true);
      const text = `${(refreshed as Error).message} ${JSON.stringify(refreshed)}`;
      expect(text).not.toContain(secrets.refresh_token!);
      expect(text).not.toContain(emu.clientSecret);
    });

    const [listed] = await listJson(dataDir);
    expect(listed.status).toBe('needs_reconnect');
    expect(listed.lastError).toMatch(/invalid_grant|reconnect/);
    const status = await runCliSource(['status', '--json'], cliEnv(dataDir));
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toEqual([expect.objectContaining({ email: CAROL, phase: 'needs_reconnect', processed: 2, total: 2 })]);
    const during = await runCliSource(exportArgs, cliEnv(dataDir));
    expect(during.stdout).toBe(before.stdout);

    // Reconnecting replaces the token, clears the flag and keeps the mirror.
    emu.setConsentAccount(CAROL);
    const re = await addAccountSource(cliEnv(dataDir));
    expect(re.code).toBe(0);
    expect(await listJson(dataDir)).toEqual([expect.objectContaining({ email: CAROL, status: 'active', lastError: null })]);
    const after = await runCliSource(exportArgs, cliEnv(dataDir));
    expect(after.stdout).toBe(before.stdout);
  });

  it('accepts the global options as flags, before or after the command', async () => {
    const dataDir = newDataDir();
    emu.setConsentAccount(ALICE);
    const env = cliEnv(join(root, 'unused'));
    const flags = [
      '--data-dir', dataDir, '--gmail-api-url', emu.gmailApiUrl, '--oauth-auth-url', emu.oauth.authUrl,
      '--oauth-token-url', emu.oauth.tokenUrl, '--oauth-revoke-url', emu.oauth.revokeUrl,
      '--client-id', emu.clientId, '--client-secret', emu.clientSecret,
    ];
    const run = spawnCliSource(['account', ...flags.slice(0, 6), 'add', '--no-browser', ...flags.slice(6)], {
      ...env, MAILMIRROR_OAUTH_TOKEN_URL: 'http://127.0.0.1:9/never-used', MAILMIRROR_CLIENT_ID: 'wrong',
    });
    const url = await waitForConnectUrl(run);
    await (await fetch(url)).text();
    const r = await run.result;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const list = await runCliSource(['account', 'list', '--json', '--data-dir', dataDir], {});
    expect((JSON.parse(list.stdout) as Array<{ email: string }>).map((a) => a.email)).toEqual([ALICE]);
  });
});

async function withDbAsync<T>(dataDir: string, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = openDatabase(join(dataDir, 'mailmirror.db'));
  try {
    return await fn(db);
  } finally {
    db.close();
  }
}
