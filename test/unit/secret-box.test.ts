import { mkdtempSync, rmSync, statSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileKeySecretBox, KEY_FILE_NAME, SecretBoxError, KeyFileError } from '../../src/main/gmail/secret-box';
import { redactSecrets, registerSecret } from '../../src/main/gmail/redact';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'mm-box-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('FileKeySecretBox', () => {
  it('creates the data folder 0700 and a 32-byte key file 0600', () => {
    const dataDir = join(tempDir(), 'nested', 'data');
    new FileKeySecretBox(dataDir);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    const key = join(dataDir, KEY_FILE_NAME);
    expect(statSync(key).mode & 0o777).toBe(0o600);
    expect(readFileSync(key).length).toBe(32);
  });

  it('round-trips text, with a fresh IV each time and no clear text in the ciphertext', () => {
    const box = new FileKeySecretBox(tempDir());
    const plain = JSON.stringify({ refresh_token: '1//refresh-token-value', access_token: 'ya29.access' });
    const a = box.encrypt(plain);
    const b = box.encrypt(plain);
    expect(a).not.toBe(b);
    expect(a.startsWith('mm1.')).toBe(true);
    expect(a).not.toContain('refresh-token-value');
    expect(Buffer.from(a.split('.')[2], 'base64url').toString('latin1')).not.toContain('refresh');
    expect(box.decrypt(a)).toBe(plain);
    expect(box.decrypt(b)).toBe(plain);
  });

  it('reuses the key already in the data folder', () => {
    const dir = tempDir();
    const cipher = new FileKeySecretBox(dir).encrypt('hello');
    expect(new FileKeySecretBox(dir).decrypt(cipher)).toBe('hello');
  });

  it('tightens a key file left readable by others', () => {
    const dir = tempDir();
    new FileKeySecretBox(dir);
    chmodSync(join(dir, KEY_FILE_NAME), 0o644);
    new FileKeySecretBox(dir);
    expect(statSync(join(dir, KEY_FILE_NAME)).mode & 0o777).toBe(0o600);
  });

  it('refuses tampered data, another key, and unknown formats', () => {
    const box = new FileKeySecretBox(tempDir());
    const other = new FileKeySecretBox(tempDir());
    const cipher = box.encrypt('secret');
    const parts = cipher.split('.');
    const body = Buffer.from(parts[2], 'base64url');
    body[0] ^= 1;
    const tampered = [parts[0], parts[1], body.toString('base64url'), parts[3]].join('.');
    expect(() => box.decrypt(tampered)).toThrow(SecretBoxError);
    expect(() => other.decrypt(cipher)).toThrow(SecretBoxError);
    expect(() => box.decrypt('plain text')).toThrow(SecretBoxError);
    expect(() => box.decrypt(`mm2.${parts.slice(1).join('.')}`)).toThrow(SecretBoxError);
  });

  it('refuses a key file of the wrong size', () => {
    const dir = tempDir();
    writeFileSync(join(dir, KEY_FILE_NAME), Buffer.alloc(10), { mode: 0o600 });
    expect(() => new FileKeySecretBox(dir)).toThrow(KeyFileError);
  });
});

describe('redactSecrets', () => {
  it('removes registered values and token shapes', () => {
    registerSecret('emulator-token-abcdef123456');
    const text = [
      'failed with emulator-token-abcdef123456',
      'POST /revoke?token=abc.def&x=1',
      'body refresh_token=1//xyz&client_secret=shh',
      '{"access_token":"ya29.zzz","refresh_token": "r"}',
      'Authorization: Bearer ya29.qqq',
      'code=4/0AbCdEfGhIjKlMnOpQrStUvWxYz',
      'GOCSPX-abcdEFGH',
    ].join('\n');
    const out = redactSecrets(text);
    for (const s of ['emulator-token-abcdef123456', 'abc.def', '1//xyz', 'shh', 'ya29.zzz', '"r"', 'ya29.qqq', '4/0AbCd', 'GOCSPX-abcd']) {
      expect(out).not.toContain(s);
    }
    expect(out).toContain('x=1');
  });

  it('leaves ordinary text alone', () => {
    expect(redactSecrets('cannot reach the Gmail API at http://127.0.0.1:8080 (ECONNREFUSED)')).toBe(
      'cannot reach the Gmail API at http://127.0.0.1:8080 (ECONNREFUSED)',
    );
  });
});
