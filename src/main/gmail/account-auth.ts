// Connected accounts and their credentials: connect (consent flow + upsert by address), remove
// (revoke + delete), and an OAuth2Client per account that keeps its refreshed tokens encrypted and
// flags the account "needs reconnect" when Google answers invalid_grant — never touching its mail.
// https://developers.google.com/identity/protocols/oauth2#expiration
import { OAuth2Client, type Credentials } from 'google-auth-library';
import type { GetTokenResponse } from 'google-auth-library/build/src/auth/oauth2client';
import type { AppConfig } from '../config';
import { AccountNotFoundError, AccountNeedsReconnectError } from './account-errors';
import { networkErrorCode, OAuthClientMissingError, oauthClientOptions, runInstalledAppFlow, type InstalledAppFlowOptions } from './oauth';
import { redactSecrets } from './redact';
import { SecretBoxError, type SecretBox } from './secret-box';
import {
  decryptTokens,
  encryptTokens,
  loadTokens,
  mergeRefreshedTokens,
  TokenMissingError,
  type AccountSignIn,
  type IssuedTokens,
  type StoredTokens,
  type TokenRepository,
} from './token-store';

/** `tokenRepo`: the accounts and their encrypted tokens, kept by the store (db/tokens.ts tokenRepository(db)). */
export type AuthDeps = { tokenRepo: TokenRepository; config: AppConfig; box: SecretBox };

export { AccountNeedsReconnectError, AccountNotFoundError };

const REVOKE_TIMEOUT_MS = 10_000;

/** True for the token endpoint's invalid_grant (revoked, expired for good, password changed…). */
export function isInvalidGrant(e: unknown): boolean {
  if (!e || typeof e !== 'object') return false;
  const data = (e as { response?: { data?: unknown } }).response?.data;
  if (data && typeof data === 'object' && (data as { error?: unknown }).error === 'invalid_grant') return true;
  return e instanceof Error && e.message === 'invalid_grant';
}

/**
 * True when the token endpoint refused the OAuth client itself: an unknown client or a wrong secret
 * (invalid_client), or a refresh token that another client was issued (unauthorized_client).
 * https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export function isClientRefused(e: unknown): boolean {
  if (!e || typeof e !== 'object') return false;
  const data = (e as { response?: { data?: unknown } }).response?.data;
  const error = data && typeof data === 'object' ? (data as { error?: unknown }).error : undefined;
  return error === 'invalid_client' || error === 'unauthorized_client';
}

/**
 * Gaxios errors carry the request they failed on, form body (refresh token, client secret) and
 * all: strip it before the error travels on, so no logger that serializes errors can leak it.
 */
export function scrubAuthError(e: unknown): void {
  if (!e || typeof e !== 'object') return;
  const err = e as { config?: { data?: unknown; body?: unknown; url?: unknown }; response?: { config?: { data?: unknown; body?: unknown } } };
  for (const c of [err.config, err.response?.config]) {
    if (c && typeof c === 'object') {
      if ('data' in c) c.data = undefined;
      if ('body' in c) c.body = undefined;
    }
  }
  if (err.config && typeof err.config.url === 'string') err.config.url = redactSecrets(err.config.url);
  if (e instanceof Error) e.message = redactSecrets(e.message);
}

/** Flags the account: sync stops for it, the UI asks to reconnect, and all its data stays. */
export function markNeedsReconnect(repo: TokenRepository, accountId: number, message: string): void {
  repo.markNeedsReconnect(accountId, redactSecrets(message));
}

function getAccount(repo: TokenRepository, accountId: number): AccountSignIn {
  const row = repo.account(accountId);
  if (!row) throw new AccountNotFoundError(`account ${accountId} does not exist`);
  return row;
}

const REVOKED_MESSAGE = 'Google no longer accepts this account\'s authorization (invalid_grant): reconnect it; its mirrored mail is kept';
const clientRefusedMessage = (reason: string) =>
  `Google refused the OAuth client for this account (${reason}): reconnect it with the client now configured; its mirrored mail is kept`;

/**
 * An OAuth2Client whose refreshes go through the store: it always refreshes with the newest stored
 * refresh token (another process may have reconnected the account), saves the answer encrypted,
 * and flags the account on invalid_grant unless a newer token has replaced the one that failed.
 */
class AccountOAuth2Client extends OAuth2Client {
  constructor(private readonly deps: AuthDeps, private readonly accountId: number) {
    super(oauthClientOptions(deps.config));
  }

  protected override async refreshTokenNoCache(refreshToken?: string | null): Promise<GetTokenResponse> {
    const { tokenRepo, box } = this.deps;
    let current = refreshToken;
    try {
      const stored = loadTokens(tokenRepo, box, this.accountId);
      if (stored?.refresh_token) current = stored.refresh_token;
    } catch (e) {
      if (e instanceof SecretBoxError) {
        markNeedsReconnect(tokenRepo, this.accountId, `the stored authorization cannot be read (${e.message}): reconnect the account`);
        throw new AccountNeedsReconnectError(`the stored authorization cannot be read: reconnect the account`);
      }
      throw e;
    }
    if (current && current !== this.credentials.refresh_token) this.credentials = { ...this.credentials, refresh_token: current };
    let res: GetTokenResponse;
    try {
      res = await super.refreshTokenNoCache(current);
    } catch (e) {
      scrubAuthError(e);
      if (isInvalidGrant(e)) this.flagIfStillCurrent(current, REVOKED_MESSAGE);
      else if (isClientRefused(e)) {
        const reason = String((e as { response?: { data?: { error?: unknown } } }).response?.data?.error);
        this.flagIfStillCurrent(current, clientRefusedMessage(reason));
      }
      throw e;
    }
    this.persist(current, res.tokens);
    return res;
  }

  private persist(usedRefreshToken: string | null | undefined, tokens: Credentials): void {
    const { tokenRepo, box } = this.deps;
    const stored = loadTokens(tokenRepo, box, this.accountId);
    // Reconnected meanwhile: the fresh access token belongs to the old grant, keep the new one.
    if (!stored || (usedRefreshToken && stored.refresh_token && stored.refresh_token !== usedRefreshToken)) return;
    mergeRefreshedTokens(tokenRepo, box, this.accountId, tokens);
  }

  private flagIfStillCurrent(failedRefreshToken: string | null | undefined, message: string): void {
    const { tokenRepo, box } = this.deps;
    tokenRepo.exclusive(() => {
      const stored = loadTokens(tokenRepo, box, this.accountId);
      if (stored && failedRefreshToken && stored.refresh_token && stored.refresh_token !== failedRefreshToken) return;
      markNeedsReconnect(tokenRepo, this.accountId, message);
    });
  }
}

/**
 * The OAuth2Client for one account, loaded with its decrypted tokens. Refreshes are persisted
 * encrypted; an invalid_grant flags the account "needs reconnect" (its data is kept) and the
 * original error is rethrown, scrubbed of secrets, for the caller's error classification.
 */
export function authorizedClient(deps: AuthDeps, accountId: number): OAuth2Client {
  const account = getAccount(deps.tokenRepo, accountId);
  if (!account.tokenCipher) throw new TokenMissingError(`${account.email} has no stored authorization: reconnect it`);
  let tokens: StoredTokens;
  try {
    tokens = decryptTokens(deps.box, account.tokenCipher);
  } catch (e) {
    if (!(e instanceof SecretBoxError)) throw e;
    markNeedsReconnect(deps.tokenRepo, accountId, `the stored authorization cannot be read (${e.message}): reconnect the account`);
    throw new AccountNeedsReconnectError(`${account.email}: the stored authorization cannot be read: reconnect the account`);
  }
  // A refresh token works only with the client it was issued to: after the user switched clients it
  // would fail at the token endpoint anyway (unauthorized_client), so say so without sending it there.
  // Token sets saved before the issuing client was recorded carry no client_id: they are tried.
  const { client_id: issuedTo, ...credentials } = tokens;
  if (!deps.config.clientId) throw new OAuthClientMissingError();
  if (issuedTo && issuedTo !== deps.config.clientId) {
    markNeedsReconnect(deps.tokenRepo, accountId, `this account was connected with another OAuth client (${issuedTo}) than the one now in use (${deps.config.clientId}): reconnect it; its mirrored mail is kept`);
    throw new AccountNeedsReconnectError(`${account.email} was connected with another OAuth client: reconnect it`);
  }
  const client = new AccountOAuth2Client(deps, accountId);
  client.setCredentials(credentials);
  return client;
}

export type ConnectedAccount = { accountId: number; email: string; created: boolean };

/**
 * Stores a fresh token set for an address: a new account, or a reconnect that replaces the token,
 * clears the needs-reconnect flag and keeps every byte of the mirror.
 */
export function upsertConnectedAccount(deps: Pick<AuthDeps, 'tokenRepo' | 'box'>, email: string, tokens: IssuedTokens): ConnectedAccount {
  return deps.tokenRepo.saveConnected(email, encryptTokens(deps.box, tokens));
}

/** The consent flow, then the account stored. */
export async function connectAccount(
  deps: AuthDeps,
  flow: Omit<InstalledAppFlowOptions, 'config'>,
): Promise<ConnectedAccount> {
  const { tokens, email } = await runInstalledAppFlow({ ...flow, config: deps.config });
  return upsertConnectedAccount(deps, email, { ...tokens, client_id: deps.config.clientId });
}

export type RemovedAccount = { email: string; revoked: boolean; revokeError?: string };

/**
 * Revokes the account's grant (best effort: removing must work offline too), then deletes the
 * account; foreign keys cascade to its labels, messages, attachments and sync runs.
 * `account` is its address or its id.
 */
export async function removeAccount(deps: AuthDeps, account: string | number): Promise<RemovedAccount> {
  const row = deps.tokenRepo.account(account);
  if (!row) throw new AccountNotFoundError(`no account ${account}`);
  return removeAccountRow(deps, row);
}

async function removeAccountRow(deps: AuthDeps, account: AccountSignIn): Promise<RemovedAccount> {
  let revoked = false;
  let revokeError: string | undefined;
  let token: string | undefined;
  try {
    const tokens = account.tokenCipher ? decryptTokens(deps.box, account.tokenCipher) : null;
    // Revoking the refresh token ends the whole grant, access tokens included.
    token = tokens?.refresh_token ?? tokens?.access_token ?? undefined;
  } catch {
    revokeError = 'the stored authorization cannot be read';
  }
  if (token) {
    const r = await revokeToken(deps.config, token);
    revoked = r.ok;
    revokeError = r.error;
  }
  deps.tokenRepo.deleteAccount(account.id);
  return { email: account.email, revoked, ...(revokeError ? { revokeError } : {}) };
}

/** https://developers.google.com/identity/protocols/oauth2/native-app#tokenrevoke */
export async function revokeToken(config: AppConfig, token: string): Promise<{ ok: boolean; error?: string }> {
  const url = new URL(config.oauthRevokeUrl);
  url.searchParams.set('token', token);
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      signal: AbortSignal.timeout(REVOKE_TIMEOUT_MS),
    });
    await res.arrayBuffer().catch(() => undefined);
    // 400 invalid_token: already revoked or expired, which is what removing wanted anyway.
    if (res.ok || res.status === 400) return { ok: true };
    return { ok: false, error: `the revoke endpoint answered HTTP ${res.status}` };
  } catch (e) {
    const code = networkErrorCode(e) ?? ((e as Error).name === 'TimeoutError' ? 'timeout' : 'error');
    return { ok: false, error: `cannot reach the revoke endpoint (${code})` };
  }
}
