// The OAuth client a user brings: Google's downloaded Desktop app JSON accepted, everything else
// refused with words that say what is wrong and what to do; the store that keeps it encrypted;
// the precedence explicit > saved > built in.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/main/config';
import {
  OAuthClientStore,
  readClientFile,
  readUserClient,
  resolveEffectiveClient,
  saveUserClient,
  USER_CLIENT_FILE_NAME,
} from '../../src/main/gmail/oauth-client-store';
import { FileKeySecretBox } from '../../src/main/gmail/secret-box';
import { installedClientJson, OAuthClientRefusedError, parseClientJson, parseClientPair } from '../../src/shared/oauth-client';

const ID = '123456789012-abcdefghijklmnopqrstuvwxyz012345.apps.googleusercontent.com';
const SECRET = 'GOCSPX-unit-test-secret-4f9a2b';

/** What Google's console downloads for a Desktop app client. */
const GOOGLE_DOWNLOAD = JSON.stringify({
  installed: {
    client_id: ID,
    project_id: 'mailmirror-12345',
    auth_uri: 'https://accounts.google.com/o/oauth2/auth',
    token_uri: 'https://oauth2.googleapis.com/token',
    auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
    client_secret: SECRET,
    redirect_uris: ['http://localhost'],
  },
});

function refusal(fn: () => unknown): OAuthClientRefusedError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(OAuthClientRefusedError);
    return e as OAuthClientRefusedError;
  }
  throw new Error('expected a refusal');
}

describe('parsing a client JSON', () => {
  it("accepts Google's downloaded Desktop app JSON (and a BOM, and the emulator's id)", () => {
    expect(parseClientJson(GOOGLE_DOWNLOAD)).toEqual({ clientId: ID, clientSecret: SECRET });
    expect(parseClientJson(`\uFEFF${GOOGLE_DOWNLOAD}`).clientId).toBe(ID);
    const emu = installedClientJson({ clientId: 'mailmirror-emulator.apps.googleusercontent.com', clientSecret: 'emulator-secret' });
    expect(parseClientJson(emu)).toEqual({ clientId: 'mailmirror-emulator.apps.googleusercontent.com', clientSecret: 'emulator-secret' });
  });

  it('refuses what is not JSON', () => {
    const e = refusal(() => parseClientJson('client_id=abc\n', 'client_secret_1.json'));
    expect(e.reason).toBe('not_json');
    expect(e.message).toBe("client_secret_1.json is not JSON: unexpected 'c' — pick the client_secret_….json file Google gave you");
    // Never a slice of the text (V8's message quotes one: it could be the secret itself).
    expect(refusal(() => parseClientJson(`{"installed": ${SECRET}}`)).message).not.toContain(SECRET);
    expect(refusal(() => parseClientJson('{"installed":')).message).toMatch(/is not JSON: it ends before its JSON does/);
    expect(refusal(() => parseClientJson(' \n')).message).toMatch(/is not JSON: it is empty/);
    expect(refusal(() => parseClientJson('{"a":1,,}')).message).toMatch(/is not JSON: unexpected text at position 7/);
  });

  it("refuses a 'Web application' client, naming the Desktop app way", () => {
    const web = JSON.stringify({ web: { client_id: ID, client_secret: SECRET, redirect_uris: ['https://example.com/cb'] } });
    const e = refusal(() => parseClientJson(web));
    expect(e.reason).toBe('web_client');
    expect(e.message).toBe(
      "This file is a 'Web application' client; Mailmirror needs a 'Desktop app' client: create one under Credentials → Create credentials → OAuth client ID → Desktop app",
    );
  });

  it('refuses the wrong shape: no installed section, an array, a service account key', () => {
    expect(refusal(() => parseClientJson('{"client_id":"x"}')).message).toMatch(/no "installed" section/);
    expect(refusal(() => parseClientJson('[1,2]')).reason).toBe('wrong_shape');
    expect(refusal(() => parseClientJson('"installed"')).reason).toBe('wrong_shape');
    expect(refusal(() => parseClientJson('{"installed":"yes"}')).reason).toBe('wrong_shape');
    const sa = refusal(() => parseClientJson(JSON.stringify({ type: 'service_account', client_id: '1', private_key: 'k' })));
    expect(sa.reason).toBe('service_account');
    expect(sa.message).toMatch(/service account key, not an OAuth client/);
  });

  it('refuses a missing or empty client_id, and one that is not a Google client id', () => {
    const noId = (v: unknown) => JSON.stringify({ installed: { client_id: v, client_secret: SECRET } });
    expect(refusal(() => parseClientJson(JSON.stringify({ installed: { client_secret: SECRET } }))).reason).toBe('missing_client_id');
    expect(refusal(() => parseClientJson(noId(''))).message).toMatch(/has no client_id/);
    expect(refusal(() => parseClientJson(noId('   '))).reason).toBe('missing_client_id');
    expect(refusal(() => parseClientJson(noId(42))).reason).toBe('missing_client_id');
    const bad = refusal(() => parseClientJson(noId('my-client')));
    expect(bad.reason).toBe('bad_client_id');
    expect(bad.message).toBe('"my-client" is not a Google OAuth client ID (those end in .apps.googleusercontent.com) — copy the Client ID of your Desktop app client');
    expect(refusal(() => parseClientJson(noId('.apps.googleusercontent.com'))).reason).toBe('bad_client_id');
  });

  it('refuses a missing client_secret, saying where to get one', () => {
    const e = refusal(() => parseClientJson(JSON.stringify({ installed: { client_id: ID } }), 'client_secret_2.json'));
    expect(e.reason).toBe('missing_client_secret');
    expect(e.message).toMatch(/^client_secret_2\.json has no client_secret — download the JSON from the dialog that created the client/);
    expect(refusal(() => parseClientJson(JSON.stringify({ installed: { client_id: ID, client_secret: '' } }))).reason).toBe('missing_client_secret');
  });

  it('refuses a real 10 MB file by its size, with the size and the file to pick', () => {
    const tenMb = Buffer.alloc(10 * 1024 * 1024, 'a').toString('utf8');
    const e = refusal(() => parseClientJson(tenMb, 'photo.json'));
    expect(e.reason).toBe('too_large');
    expect(e.message).toBe('photo.json is 10.0 MB; a Google client JSON is under 1 KB — pick the file named client_secret_….json');
    // Just over the limit is counted in UTF-8 bytes, not characters.
    expect(refusal(() => parseClientJson(`"${'é'.repeat(33 * 1024)}"`)).reason).toBe('too_large');
  });

  it('takes a pasted id and secret with the same id check, secret required', () => {
    expect(parseClientPair(`  ${ID}\n`, ` ${SECRET} `)).toEqual({ clientId: ID, clientSecret: SECRET });
    expect(refusal(() => parseClientPair('', SECRET)).message).toBe('The client ID is empty — paste the Client ID of your Desktop app client');
    expect(refusal(() => parseClientPair('abc', SECRET)).reason).toBe('bad_client_id');
    expect(refusal(() => parseClientPair(ID, '')).message).toMatch(/^The client secret is empty — paste it too/);
    expect(refusal(() => parseClientPair(ID, undefined)).reason).toBe('missing_client_secret');
    expect(refusal(() => parseClientPair('a'.repeat(5000), SECRET)).reason).toBe('bad_client_id');
  });
});

describe('the saved client and the precedence', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mm-client-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the secret encrypted in a 0600 file written atomically', () => {
    const box = new FileKeySecretBox(dir);
    saveUserClient(dir, box, { clientId: ID, clientSecret: SECRET });
    const file = join(dir, USER_CLIENT_FILE_NAME);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const bytes = readFileSync(file);
    expect(bytes.includes(Buffer.from(SECRET))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(readUserClient(dir, box)).toEqual({ clientId: ID, clientSecret: SECRET });
    // Another data folder's key cannot open it.
    const other = mkdtempSync(join(tmpdir(), 'mm-client-other-'));
    try {
      expect(() => readUserClient(dir, new FileKeySecretBox(other))).toThrow(/cannot be read here/);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('explicit flags/env > the saved client > the built-in file; a broken one is skipped with a warning', () => {
    const builtin = join(dir, 'oauth-client.json');
    writeFileSync(builtin, installedClientJson({ clientId: 'builtin.apps.googleusercontent.com', clientSecret: 'builtin-secret' }));
    const env = { MAILMIRROR_DATA_DIR: dir, MAILMIRROR_BUILTIN_CLIENT_FILE: builtin };
    const box = () => new FileKeySecretBox(dir);

    const config = resolveConfig({}, env);
    expect(config.builtinClientFile).toBe(builtin);
    const store = new OAuthClientStore(config, box);
    expect(store.status()).toEqual({ configured: true, source: 'builtin', clientId: 'builtin.apps.googleusercontent.com' });
    store.set({ json: GOOGLE_DOWNLOAD });
    expect(store.status()).toEqual({ configured: true, source: 'user', clientId: ID });
    expect(config.clientSecret).toBe(SECRET);

    const explicit = resolveConfig({ clientId: 'flag-id', clientSecret: 'flag-secret' }, env);
    expect(resolveEffectiveClient(explicit, box).client).toEqual({ clientId: 'flag-id', clientSecret: 'flag-secret', source: 'environment' });

    expect(store.clear().removed).toBe(ID);
    expect(store.status().source).toBe('builtin');
    writeFileSync(builtin, '{"web":{}}');
    const r = resolveEffectiveClient(resolveConfig({}, env), box);
    expect(r.client).toBeNull();
    expect(r.warnings[0]).toMatch(/built into this package is unusable .*'Web application'/);
    expect(store.status()).toEqual({ configured: false, source: null, clientId: null });
  });

  it('reads a client file from disk, refusing a big one by its size before reading it', () => {
    const big = join(dir, 'big.json');
    writeFileSync(big, Buffer.alloc(10 * 1024 * 1024, 0x20));
    expect(() => readClientFile(big)).toThrow('big.json is 10.0 MB; a Google client JSON is under 1 KB — pick the file named client_secret_….json');
    const ok = join(dir, 'client_secret_1.json');
    writeFileSync(ok, GOOGLE_DOWNLOAD);
    expect(readClientFile(ok)).toEqual({ clientId: ID, clientSecret: SECRET });
  });
});
