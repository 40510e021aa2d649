// Encryption at rest for OAuth token sets. The desktop app backs SecretBox with Electron's
// safeStorage (src/main/electron); headless runs use FileKeySecretBox: AES-256-GCM under a random
// 32-byte key kept in the data folder with mode 0600, next to a database that never sees clear text.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, fsyncSync, linkSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { MailmirrorError } from '../errors';
import { ensurePrivateDataDir } from '../data-dir';

/** Synchronous on purpose: Electron's safeStorage is synchronous too, and the store is. */
export interface SecretBox {
  encrypt(plain: string): string;
  decrypt(cipher: string): string;
}

export class SecretBoxError extends MailmirrorError {
  readonly code = 'SECRET_UNREADABLE';
  readonly ipcCode = 'AUTH_EXPIRED';
}

export class KeyFileError extends MailmirrorError {
  readonly code = 'KEY_FILE_INVALID';
  readonly ipcCode = 'INTERNAL';
}

export const KEY_FILE_NAME = 'secret.key';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
// The version prefix lets a later format (or a key rotation) coexist with stored ciphertexts.
const FORMAT_V1 = 'mm1';
// Binds ciphertexts to their purpose: a blob made for something else under the same key is refused.
const AAD_V1 = Buffer.from('mailmirror token set v1');

export class FileKeySecretBox implements SecretBox {
  private readonly key: Buffer;

  /**
   * A data folder: its secret.key is loaded, or created (with the folder) on first use.
   * A Buffer: the key itself (tests, or a key kept elsewhere).
   */
  constructor(dataDirOrKey: string | Buffer) {
    let key: Buffer;
    if (typeof dataDirOrKey === 'string') {
      ensurePrivateDataDir(dataDirOrKey);
      key = loadOrCreateKey(join(dataDirOrKey, KEY_FILE_NAME));
    } else {
      key = dataDirOrKey;
    }
    if (key.length !== KEY_BYTES) throw new KeyFileError(`the secret key must be ${KEY_BYTES} bytes`);
    this.key = Buffer.from(key);
  }

  static open(dataDir: string): FileKeySecretBox {
    return new FileKeySecretBox(dataDir);
  }

  encrypt(plain: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(AAD_V1);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [FORMAT_V1, iv.toString('base64url'), body.toString('base64url'), tag.toString('base64url')].join('.');
  }

  decrypt(text: string): string {
    const parts = text.split('.');
    if (parts.length !== 4 || parts[0] !== FORMAT_V1) {
      throw new SecretBoxError('stored secret has an unknown format');
    }
    const iv = Buffer.from(parts[1], 'base64url');
    const body = Buffer.from(parts[2], 'base64url');
    const tag = Buffer.from(parts[3], 'base64url');
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SecretBoxError('stored secret is truncated');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(AAD_V1);
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
    } catch {
      // Wrong key (secret.key replaced or deleted) or tampered data: the account must reconnect.
      throw new SecretBoxError('stored secret cannot be decrypted with this data folder\'s key');
    }
  }
}

function readKey(file: string): Buffer {
  const key = readFileSync(file);
  if (key.length !== KEY_BYTES) throw new KeyFileError(`${file} is not a Mailmirror key (expected ${KEY_BYTES} bytes)`);
  if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  return key;
}

function loadOrCreateKey(file: string): Buffer {
  try {
    return readKey(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  // Written to a private temp file, then hard-linked into place: link() fails if another process
  // won the race, and nobody ever reads a half-written key.
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, randomBytes(KEY_BYTES));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  } finally {
    rmSync(tmp, { force: true });
  }
  return readKey(file);
}
