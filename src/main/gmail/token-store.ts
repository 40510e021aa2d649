// OAuth token sets at rest: encrypted with a SecretBox into accounts.token_cipher. The clear
// text exists only in memory; nothing here logs or returns it outside a Credentials object.
import { eq } from 'drizzle-orm';
import type { Credentials } from 'google-auth-library';
import type { Db } from '../db/client';
import { accounts } from '../db/schema';
import { registerTokenSecrets } from './oauth';
import type { SecretBox } from './secret-box';
import { MailmirrorError } from '../errors';

/**
 * What is kept of a token set: no id_token (it carries the user's identity claims, unused), and
 * the OAuth client that issued it: a refresh token only works with that client, so a token set of
 * another client is never sent to the token endpoint (see authorizedClient()).
 */
export type StoredTokens = Pick<Credentials, 'access_token' | 'refresh_token' | 'expiry_date' | 'token_type' | 'scope'> & {
  client_id?: string;
};

/** A token set as issued, with the client that issued it when known. */
export type IssuedTokens = Credentials & { client_id?: string };

export class TokenMissingError extends MailmirrorError {
  readonly code = 'AUTH_MISSING';
  readonly ipcCode = 'AUTH_EXPIRED';
}

function pickStored(tokens: IssuedTokens): StoredTokens {
  const out: StoredTokens = {};
  if (typeof tokens.client_id === 'string' && tokens.client_id) out.client_id = tokens.client_id;
  if (tokens.access_token) out.access_token = tokens.access_token;
  if (tokens.refresh_token) out.refresh_token = tokens.refresh_token;
  if (typeof tokens.expiry_date === 'number') out.expiry_date = tokens.expiry_date;
  if (tokens.token_type) out.token_type = tokens.token_type;
  if (tokens.scope) out.scope = tokens.scope;
  return out;
}

export function encryptTokens(box: SecretBox, tokens: IssuedTokens): string {
  return box.encrypt(JSON.stringify(pickStored(tokens)));
}

export function decryptTokens(box: SecretBox, cipher: string): StoredTokens {
  const parsed: unknown = JSON.parse(box.decrypt(cipher));
  if (!parsed || typeof parsed !== 'object') throw new TokenMissingError('the stored token set is unreadable');
  const tokens = pickStored(parsed as IssuedTokens);
  registerTokenSecrets(tokens);
  return tokens;
}

/** The account's decrypted token set, or null when it has none (removed or never connected). */
export function loadTokens(db: Db, box: SecretBox, accountId: number): StoredTokens | null {
  const row = db.orm.select({ tokenCipher: accounts.tokenCipher }).from(accounts).where(eq(accounts.id, accountId)).get();
  if (!row?.tokenCipher) return null;
  return decryptTokens(box, row.tokenCipher);
}

export function saveTokens(db: Db, box: SecretBox, accountId: number, tokens: IssuedTokens): void {
  db.orm.update(accounts).set({ tokenCipher: encryptTokens(box, tokens) }).where(eq(accounts.id, accountId)).run();
}

/**
 * Persists a refresh's answer. Google usually omits the refresh token there, so the stored one is
 * kept; read and written in one transaction because several workers may refresh at once.
 */
export function mergeRefreshedTokens(db: Db, box: SecretBox, accountId: number, fresh: Credentials): StoredTokens | null {
  registerTokenSecrets(fresh);
  return db.sqlite.transaction((): StoredTokens | null => {
    const current = loadTokens(db, box, accountId);
    // Removed meanwhile (or disconnected): do not resurrect a token for it.
    if (!current) return null;
    const merged: StoredTokens = { ...current, ...pickStored(fresh) };
    if (!fresh.refresh_token) merged.refresh_token = current.refresh_token;
    saveTokens(db, box, accountId, merged);
    return merged;
  }).immediate();
}
