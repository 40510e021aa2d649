// Per-account Gmail access for the sync processors: an authorized googleapis client and every call
// paced by the shared quota governor. Revoked tokens flag the account and stop retries.
import type { gmail_v1 } from 'googleapis';
import type { OAuth2Client } from 'google-auth-library';
import type { AppConfig } from '../config';
import type { Db } from '../db/client';
import type { GmailMethod } from '../../shared/gmail-quota';
import type { QuotaGovernor } from './quota-governor';
import type { SecretBox } from './secret-box';
import { createGmailClient } from './client';
import { authorizedClient, markNeedsReconnect } from './account-auth';
import { AccountNeedsReconnectError } from './account-errors';
import { classifyGmailError, GmailInvalidGrantError, GmailAuthError, GmailTransientError } from './errors';

type Entry = { auth: OAuth2Client; gmail: gmail_v1.Gmail };

export class GmailAccess {
  private readonly clients = new Map<number, Entry>();
  /** Accounts whose last Gmail call failed without any HTTP answer (no network, Gmail unreachable). */
  private readonly unreachable = new Map<number, string>();

  constructor(
    private readonly deps: { db: Db; config: AppConfig; box: SecretBox; governor: QuotaGovernor },
  ) {}

  client(accountId: number): Entry {
    let e = this.clients.get(accountId);
    if (!e) {
      const auth = authorizedClient({ db: this.deps.db, config: this.deps.config, box: this.deps.box }, accountId);
      e = {
        auth,
        gmail: createGmailClient({ rootUrl: this.deps.config.gmailApiUrl, auth, timeoutMs: this.deps.config.gmailTimeoutMs }),
      };
      this.clients.set(accountId, e);
    }
    return e;
  }

  /** Why Gmail could not be reached for this account on the last try, or null when it answered. */
  offline(accountId: number): string | null {
    return this.unreachable.get(accountId) ?? null;
  }

  /** Forget a cached client (account removed or reconnected with a new token). */
  forget(accountId: number): void {
    this.clients.delete(accountId);
  }

  /** Forget every cached client: the OAuth client in effect changed (each is built from it). */
  forgetAll(): void {
    this.clients.clear();
  }

  /**
   * One Gmail call for an account, paced by the governor. An `invalid_grant` (token revoked or expired
   * for good) flags the account "needs reconnect" — its data stays — and surfaces as
   * AccountNeedsReconnectError, which processors turn into an unrecoverable job failure.
   */
  async call<T>(accountId: number, method: GmailMethod, fn: (gmail: gmail_v1.Gmail) => Promise<T>, units?: number): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      // A stored token that cannot be used (unreadable, another client's) throws AccountNeedsReconnectError here,
      // the account flagged by authorizedClient().
      const { gmail, auth } = this.client(accountId);
      try {
        const result = await this.deps.governor.call(String(accountId), method, () => fn(gmail), units === undefined ? undefined : { units });
        this.unreachable.delete(accountId);
        return result;
      } catch (e) {
        const err = classifyGmailError(e);
        // DESIGN.md: a 401 refreshes the token once before the account is flagged. google-auth-library refreshes on
        // a 401 only for credentials without an expiry date (its forceRefreshOnFailure would also refresh and resend,
        // outside the governor, on every 403 rate-limit answer), yet an access token can die before its expiry: a
        // server-side reset, a skewed clock. A revoked grant then fails the refresh with invalid_grant.
        if (err instanceof GmailAuthError && err.status === 401 && attempt === 1) {
          auth.setCredentials({ ...auth.credentials, expiry_date: 1 });
          continue;
        }
        this.fail(accountId, err);
      }
    }
  }

  /** Records how a call failed and throws: a refused token flags the account "needs reconnect" (its data stays). */
  private fail(accountId: number, err: Error): never {
    if (err instanceof GmailTransientError && err.status === undefined) this.unreachable.set(accountId, err.message);
    else this.unreachable.delete(accountId);
    if (err instanceof GmailInvalidGrantError || err instanceof GmailAuthError) {
      markNeedsReconnect(this.deps.db, accountId, err.message);
      this.forget(accountId);
      throw new AccountNeedsReconnectError(
        'Gmail refused this account\'s token: reconnect the account (its mirrored mail is kept).',
      );
    }
    throw err;
  }
}
