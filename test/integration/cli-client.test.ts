// `mailmirror client set/show/clear` as child processes against the emulator: the user's own OAuth
// client is refused precisely when it is not a Desktop app client, saved encrypted, shown without its
// secret, used by `account add` and by the sync's token refreshes with no MAILMIRROR_CLIENT_ID in the
// environment; switching clients flags the account "needs reconnect" and keeps its mail.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import type { Emulator } from '../../src/emulator';
import { resolveConfig } from '../../src/main/config';
import { openDatabase } from '../../src/main/db/client';
import { getAccountByEmail } from '../../src/main/db/accounts';
import { tokenRepository } from '../../src/main/db/tokens';
import { authorizedClient, connectAccount } from '../../src/main/gmail/account-auth';
import { FileKeySecretBox } from '../../src/main/gmail/secret-box';
import { loadTokens, saveTokens } from '../../src/main/gmail/token-store';
import { installedClientJson } from '../../src/shared/oauth-client';
import { emulatorEndpointsEnv } from '../helpers/cli';
import { mirrorTest } from '../helpers/fixtures';
import { addAccountSource, runCliSource } from '../helpers/cli-source';

const ALICE = 'alice@example.com';
// Distinctive, and of Google's shape (GOCSPX-…), so any leak is found by a plain byte search.
const SECRET = 'GOCSPX-cli-client-test-secret-7d1e9a';
const OTHER_ID = 'other-client-123.apps.googleusercontent.com';
const OTHER_SECRET = 'GOCSPX-the-other-clients-secret-55';

// Short-lived access tokens: the sync must refresh them with the saved client.
const it = mirrorTest({ cli: 'source', emulator: { clientSecret: SECRET, accessTokenTtlSec: 2 }, tempPrefix: 'mm-cli-client-' });
let emu: Emulator;
let root: string;
let files: Record<'good' | 'web' | 'noSecret' | 'notJson' | 'big' | 'other' | 'builtin', string>;

it.beforeAll(({ emu: fileEmulator, fileDir }) => {
  emu = fileEmulator;
  root = fileDir;
  emu.addAccount(ALICE, { messages: 30, seed: 4 });
  const write = (name: string, data: string | Buffer) => {
    const p = join(root, name);
    writeFileSync(p, data);
    return p;
  };
  files = {
    good: write('client_secret_emulator.json', installedClientJson({ clientId: emu.clientId, clientSecret: SECRET }, { projectId: 'mailmirror-test' })),
    web: write('client_secret_web.json', JSON.stringify({ web: { client_id: emu.clientId, client_secret: SECRET, redirect_uris: ['https://x.example/cb'] } })),
    noSecret: write('client_secret_nosecret.json', JSON.stringify({ installed: { client_id: emu.clientId, redirect_uris: ['http://localhost'] } })),
    notJson: write('notes.txt', 'client id: abc\n'),
    big: write('big.json', Buffer.alloc(10 * 1024 * 1024, 0x7b)),
    other: write('client_secret_other.json', installedClientJson({ clientId: OTHER_ID, clientSecret: OTHER_SECRET })),
    builtin: write('oauth-client.json', installedClientJson({ clientId: 'builtin-client.apps.googleusercontent.com', clientSecret: 'GOCSPX-builtin-secret-000' })),
  };
});

let dirs = 0;
const newDataDir = () => join(root, `data-${++dirs}`);

/** The emulator's endpoints and a data folder, but no client: it must come from `client set`. */
function env(dataDir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    MAILMIRROR_DATA_DIR: dataDir,
    ...emulatorEndpointsEnv(emu),
    MAILMIRROR_QUOTA_SCALE: '0',
    MAILMIRROR_QUEUE_PREFIX: `clitest${process.pid}x${dirs}`,
    ...extra,
  };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : e.isFile() ? [join(dir, e.name)] : [],
  );
}

function expectNoSecretIn(dataDir: string, outputs: string[], secrets = [SECRET]) {
  for (const s of secrets) {
    for (const o of outputs) expect(o).not.toContain(s);
    for (const f of filesUnder(dataDir)) expect(readFileSync(f).includes(Buffer.from(s)), `${f} holds the client secret`).toBe(false);
  }
}

function oneLineFailure(r: { code: number | null; stdout: string; stderr: string }, code: number, text: RegExp | string) {
  expect(r.code).toBe(code);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  if (typeof text === 'string') expect(lines[0]).toBe(text);
  else expect(lines[0]).toMatch(text);
}

const SLOW = { timeout: 300_000 };

describe('mailmirror client', () => {
  it('refuses anything but a Desktop app client, each with its reason and what to do', SLOW, async () => {
    const dataDir = newDataDir();
    const e = env(dataDir);
    oneLineFailure(await runCliSource(['client', 'show'], e), 1, /^mailmirror: no OAuth client is configured: create a Google Cloud OAuth client of type "Desktop app", download its JSON and run `mailmirror client set --file <client_secret_….json>`/);
    oneLineFailure(await runCliSource(['client', 'show', '--json'], e), 1, /^mailmirror: no OAuth client is configured: /);
    oneLineFailure(await runCliSource(['client', 'set', '--file', files.web], e), 1, "mailmirror: client_secret_web.json is a 'Web application' client; Mailmirror needs a 'Desktop app' client: create one under Credentials → Create credentials → OAuth client ID → Desktop app");
    oneLineFailure(await runCliSource(['client', 'set', '--file', files.noSecret], e), 1, /^mailmirror: client_secret_nosecret\.json has no client_secret — /);
    oneLineFailure(await runCliSource(['client', 'set', '--file', files.notJson], e), 1, /^mailmirror: notes\.txt is not JSON: unexpected 'c' — pick the client_secret_….json file Google gave you$/);
    oneLineFailure(await runCliSource(['client', 'set', '--file', files.big], e), 1, 'mailmirror: big.json is 10.0 MB; a Google client JSON is under 1 KB — pick the file named client_secret_….json');
    oneLineFailure(await runCliSource(['client', 'set', '--file', join(root, 'nope.json')], e), 1, /^mailmirror: cannot read .*nope\.json: no such file$/);
    oneLineFailure(await runCliSource(['client', 'set', '--file', root], e), 1, /it is a folder/);
    oneLineFailure(await runCliSource(['client', 'set'], e), 2, /^mailmirror: client set: which file\? .*\(see `mailmirror --help`\)$/);
    oneLineFailure(await runCliSource(['client', 'frob'], e), 2, /unknown subcommand "frob"/);
    // Nothing was saved by any of these.
    oneLineFailure(await runCliSource(['client', 'show'], e), 1, /no OAuth client is configured/);
    const help = await runCliSource(['--help'], e);
    expect(help.stdout).toContain('client set --file <json>');
    expect(help.stdout).toContain('client show [--json]');
    expect(help.stdout).toContain('client clear');
  });

  it('saves a client, shows it without its secret, connects and syncs with it (no MAILMIRROR_CLIENT_ID), clears it', SLOW, async () => {
    const dataDir = newDataDir();
    const e = env(dataDir);
    const outputs: string[] = [];
    const set = await runCliSource(['client', 'set', '--file', files.good], e);
    outputs.push(set.stdout, set.stderr);
    expect(set.stderr).toBe('');
    expect(set.code).toBe(0);
    expect(set.stdout).toBe(`Saved OAuth client ${emu.clientId}\n`);

    const show = await runCliSource(['client', 'show'], e);
    outputs.push(show.stdout, show.stderr);
    expect(show.code).toBe(0);
    expect(show.stdout).toBe(`${emu.clientId} (from your saved client)\n`);
    const json = await runCliSource(['client', 'show', '--json'], e);
    outputs.push(json.stdout, json.stderr);
    expect(JSON.parse(json.stdout)).toEqual({ clientId: emu.clientId, source: 'user' });

    emu.setConsentAccount(ALICE);
    const added = await addAccountSource(e);
    outputs.push(added.stdout, added.stderr, added.page);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout.trim().split('\n').pop()).toBe(`Connected ${ALICE}`);
    expect(new URL(added.url).searchParams.get('client_id')).toBe(emu.clientId);

    // The access token lives 2 s: the sync refreshes it with the saved client, in another process.
    await new Promise((r) => setTimeout(r, 2500));
    const refreshesBefore = emu.stats().oauth.refreshes;
    const sync = await runCliSource(['sync', '--wait'], e);
    outputs.push(sync.stdout, sync.stderr);
    expect(sync.code, sync.stderr).toBe(0);
    expect(emu.stats().oauth.refreshes).toBeGreaterThan(refreshesBefore);
    const list = await runCliSource(['account', 'list', '--json'], e);
    expect(JSON.parse(list.stdout)[0]).toMatchObject({ email: ALICE, status: 'active', initialSyncCompleted: true });

    // The secret is nowhere in clear: not in any output, nor any file of the data folder (db, WAL, logs, key, client).
    expect(filesUnder(dataDir).map((f) => f.slice(dataDir.length + 1))).toContain('oauth-client.enc');
    expectNoSecretIn(dataDir, outputs);

    // An explicit client wins, and says so.
    const envShow = await runCliSource(['client', 'show'], env(dataDir, { MAILMIRROR_CLIENT_ID: 'env-client.apps.googleusercontent.com', MAILMIRROR_CLIENT_SECRET: 'x' }));
    expect(envShow.stdout).toBe('env-client.apps.googleusercontent.com (from MAILMIRROR_CLIENT_ID)\n');
    expect(envShow.stderr).toBe(`mailmirror: note: your saved client ${emu.clientId} is not in effect while MAILMIRROR_CLIENT_ID is set\n`);

    const cleared = await runCliSource(['client', 'clear'], e);
    expect(cleared.code).toBe(0);
    expect(cleared.stdout).toBe(`Removed your saved OAuth client ${emu.clientId}\nNo OAuth client is configured now: set one with \`mailmirror client set --file <client_secret_….json>\`\n`);
    const withBuiltin = await runCliSource(['client', 'clear'], env(dataDir, { MAILMIRROR_BUILTIN_CLIENT_FILE: files.builtin }));
    expect(withBuiltin.stdout).toBe('No saved OAuth client to remove\nIn effect now: builtin-client.apps.googleusercontent.com (built into this package)\n');
    const builtinShow = await runCliSource(['client', 'show', '--json'], env(dataDir, { MAILMIRROR_BUILTIN_CLIENT_FILE: files.builtin }));
    expect(JSON.parse(builtinShow.stdout)).toEqual({ clientId: 'builtin-client.apps.googleusercontent.com', source: 'builtin' });
    oneLineFailure(await runCliSource(['client', 'show'], e), 1, /no OAuth client is configured/);
  });

  it('after a switch to another client the account needs reconnecting, keeps its mail, and reconnects', SLOW, async () => {
    const dataDir = newDataDir();
    const e = env(dataDir);
    expect((await runCliSource(['client', 'set', '--file', files.good], e)).code).toBe(0);
    emu.setConsentAccount(ALICE);
    expect((await addAccountSource(e)).code).toBe(0);
    expect((await runCliSource(['sync', '--wait'], e)).code).toBe(0);

    expect((await runCliSource(['client', 'set', '--file', files.other], e)).stdout).toBe(`Saved OAuth client ${OTHER_ID}\n`);
    const sync = await runCliSource(['sync', '--wait'], e);
    expect(sync.code).toBe(1);
    expect(sync.stderr).toMatch(/sync of alice@example\.com stopped: .*another OAuth client.*Reconnect it with `mailmirror account add`; its mirrored mail is kept/);
    const [acct] = JSON.parse((await runCliSource(['account', 'list', '--json'], e)).stdout) as Array<Record<string, unknown>>;
    expect(acct).toMatchObject({ email: ALICE, status: 'needs_reconnect' });
    expect(String(acct.lastError)).toContain(`another OAuth client (${emu.clientId}) than the one now in use (${OTHER_ID})`);
    const db = openDatabase(join(dataDir, 'mailmirror.db'));
    try {
      const n = db.sqlite.prepare('SELECT count(*) AS n FROM messages WHERE account_id = ? AND details_fetched = 1').get(getAccountByEmail(db, ALICE)!.id) as { n: number };
      expect(n.n).toBeGreaterThan(0);
    } finally {
      db.close();
    }

    // Back to the emulator's client: one `account add` reconnects, the mirror is still there.
    expect((await runCliSource(['client', 'set', '--file', files.good], e)).code).toBe(0);
    expect((await addAccountSource(e)).code).toBe(0);
    const [again] = JSON.parse((await runCliSource(['account', 'list', '--json'], e)).stdout) as Array<Record<string, unknown>>;
    expect(again).toMatchObject({ email: ALICE, status: 'active', initialSyncCompleted: true, lastError: null });
    expect((await runCliSource(['sync', '--wait'], e)).code).toBe(0);
    expectNoSecretIn(dataDir, [], [SECRET, OTHER_SECRET]);
  });
});

describe('a token set from before the issuing client was recorded', () => {
  it('refreshed with a client the token endpoint refuses: flagged "needs reconnect", nothing deleted', async () => {
    const dataDir = newDataDir();
    const config = resolveConfig({}, { ...env(dataDir), MAILMIRROR_CLIENT_ID: emu.clientId, MAILMIRROR_CLIENT_SECRET: SECRET });
    const box = new FileKeySecretBox(dataDir);
    const db = openDatabase(join(dataDir, 'mailmirror.db'));
    try {
      emu.setConsentAccount(ALICE);
      const connected = await connectAccount({ tokenRepo: tokenRepository(db), config, box }, { openBrowser: false, onUrl: (u) => void fetch(u).then((r) => r.text()) });
      const stored = loadTokens(tokenRepository(db), box, connected.accountId)!;
      expect(stored.client_id).toBe(emu.clientId);
      // As written before client_id was kept, and expired.
      const { client_id: _dropped, ...legacy } = stored;
      saveTokens(tokenRepository(db), box, connected.accountId, { ...legacy, expiry_date: 1 });
      // The secret is wrong for this client: the emulator answers invalid_client, as Google does.
      const wrong = { ...config, clientSecret: 'GOCSPX-not-this-clients-secret' };
      const client = authorizedClient({ tokenRepo: tokenRepository(db), config: wrong, box }, connected.accountId);
      await expect(client.getAccessToken()).rejects.toThrow();
      const acct = getAccountByEmail(db, ALICE)!;
      expect(acct.status).toBe('needs_reconnect');
      expect(acct.lastError).toMatch(/Google refused the OAuth client for this account \(invalid_client\)/);
      expect(loadTokens(tokenRepository(db), box, connected.accountId)?.refresh_token).toBe(stored.refresh_token);
    } finally {
      db.close();
    }
  });
});
