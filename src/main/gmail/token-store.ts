// OAuth token sets at rest: encrypted with a SecretBox into the account's token cipher. The clear
// text exists only in memory; nothing here logs or returns it outside a Credentials object.
import type { Credentials } from 'google-auth-library';
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

/** An account as its sign-in needs it. */
export type AccountSignIn = { id: number; email: string; tokenCipher: string | null };

/**
 * Where the accounts and their encrypted token sets are kept. gmail/ never imports the store (DESIGN.md: gmail/ →
 * no db/): the store implements this (db/tokens.ts tokenRepository) and whoever builds Gmail access passes it in.
 */
export interface TokenRepository {
  /** The account (by id, or by address ignoring case), or null when it does not exist. */
  account(idOrEmail: number | string): AccountSignIn | null;
  /** The account's encrypted token set, null when it has none or does not exist. */
  tokenCipher(accountId: number): string | null;
  setTokenCipher(accountId: number, cipher: string): void;
  /** Flags the account: sync stops for it, the UI asks to reconnect, and all its data stays. */
  markNeedsReconnect(accountId: number, message: string): void;
  /** A fresh sign-in for an address: a new account, or a reconnect that clears the needs-reconnect flag (mail kept). */
  saveConnected(email: string, tokenCipher: string): { accountId: number; email: string; created: boolean };
  /** Deletes the account and everything stored for it. Returns whether it existed. */
  deleteAccount(accountId: number): boolean;
  /** Runs fn holding the store's write lock: a read-modify-write of a token other processes may refresh too. */
  exclusive<T>(fn: () => T): T;
}

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
export function loadTokens(repo: TokenRepository, box: SecretBox, accountId: number): StoredTokens | null {
  const cipher = repo.tokenCipher(accountId);
  return cipher ? decryptTokens(box, cipher) : null;
}

export function saveTokens(repo: TokenRepository, box: SecretBox, accountId: number, tokens: IssuedTokens): void {
  repo.setTokenCipher(accountId, encryptTokens(box, tokens));
}

/**
 * Persists a refresh's answer. Google usually omits the refresh token there, so the stored one is
 * kept; read and written in one transaction because several workers may refresh at once.
 */
export function mergeRefreshedTokens(repo: TokenRepository, box: SecretBox, accountId: number, fresh: Credentials): StoredTokens | null {
  registerTokenSecrets(fresh);
  return repo.exclusive((): StoredTokens | null => {
    const current = loadTokens(repo, box, accountId);
    // Removed meanwhile (or disconnected): do not resurrect a token for it.
    if (!current) return null;
    const merged: StoredTokens = { ...current, ...pickStored(fresh) };
    if (!fresh.refresh_token) merged.refresh_token = current.refresh_token;
    saveTokens(repo, box, accountId, merged);
    return merged;
  });
}
