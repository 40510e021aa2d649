// Per-account Gmail access for the sync processors: an authorized googleapis client and every call
// paced and retried by the shared quota governor. Revoked tokens flag the account and stop retries.
import type { gmail_v1 } from 'googleapis';
import type { OAuth2Client } from 'google-auth-library';
import type { AppConfig } from '../config';
import { QUOTA_PROFILES, type GmailMethod } from '../../shared/gmail-quota';
import type { QuotaGovernor } from './quota-governor';
import type { QuotaProfileRepository } from './quota-profile';
import type { SecretBox } from './secret-box';
import type { TokenRepository } from './token-store';
import { createGmailClient } from './client';
import { authorizedClient, markNeedsReconnect } from './account-auth';
import { AccountNeedsReconnectError } from './account-errors';
import { classifyGmailError, GmailInvalidGrantError, GmailAuthError, GmailTransientError, type GmailError } from './errors';

type Entry = { auth: OAuth2Client; gmail: gmail_v1.Gmail };

/**
 * How Gmail answered an account's latest request: `unreachable` (no HTTP answer: no network, Gmail down) or
 * `failing` (Gmail answered with a server error), with the error's message and since when. Kept per attempt, so the
 * UI learns of it at the first failed try, not once every retry is spent.
 */
export type GmailHealth = { state: 'unreachable' | 'failing'; message: string; since: number };

export class GmailAccess {
  private readonly clients = new Map<number, Entry>();
  private readonly health = new Map<number, GmailHealth>();

  constructor(
    private readonly deps: {
      tokenRepo: TokenRepository; config: AppConfig; box: SecretBox; governor: QuotaGovernor;
      /** Where the quota table found per account (MAILMIRROR_QUOTA_PROFILE=auto) is remembered. */
      quotaProfiles?: QuotaProfileRepository;
    },
    /** Told when an account's Gmail health changes (reachable ↔ unreachable ↔ failing); null: answering again. */
    private readonly onHealthChange: (accountId: number, health: GmailHealth | null) => void = () => undefined,
  ) {
    const repo = deps.quotaProfiles;
    if (repo) deps.governor.profiles.onChange((account, r) => repo.remember(Number(account), r));
  }

  private setHealth(accountId: number, next: Omit<GmailHealth, 'since'> | null): void {
    const prev = this.health.get(accountId);
    if (!next) {
      if (prev && this.health.delete(accountId)) this.onHealthChange(accountId, null);
      return;
    }
    if (prev?.state === next.state && prev.message === next.message) return;
    const health = { ...next, since: prev?.state === next.state ? prev.since : Date.now() };
    this.health.set(accountId, health);
    this.onHealthChange(accountId, health);
  }

  /** How the account's latest Gmail request went when it did not go well, or null. */
  gmailHealth(accountId: number): GmailHealth | null {
    return this.health.get(accountId) ?? null;
  }

  client(accountId: number): Entry {
    let e = this.clients.get(accountId);
    if (!e) {
      const auth = authorizedClient(this.deps, accountId);
      e = {
        auth,
        gmail: createGmailClient({ rootUrl: this.deps.config.gmailApiUrl, auth, timeoutMs: this.deps.config.gmailTimeoutMs }),
      };
      this.clients.set(accountId, e);
    }
    return e;
  }

  /**
   * The quota pacing the account runs at now, with its table's costs (MAILMIRROR_QUOTA_PROFILE=auto: the table found
   * for it, `2026` until then): batch sizes and the choice between threads.get and messages.get follow them.
   */
  quota(accountId: number): { costs: Record<GmailMethod, number>; burstUnits: number } {
    const account = this.seedProfile(accountId);
    const gov = this.deps.governor;
    const costs = Object.fromEntries(
      (Object.keys(QUOTA_PROFILES['2026'].costs) as GmailMethod[]).map((m) => [m, gov.cost(m, account)]),
    ) as Record<GmailMethod, number>;
    return { costs, burstUnits: gov.pacingFor(account).burstUnits };
  }

  /** The account's key in the governor, its quota table seeded from the store when this process has no view yet. */
  private seedProfile(accountId: number): string {
    const account = String(accountId);
    const profiles = this.deps.governor.profiles;
    if (!profiles.known(account)) profiles.remember(account, this.deps.quotaProfiles?.remembered(accountId) ?? null);
    return account;
  }

  /** Why Gmail could not be reached for this account on the last try, or null when it answered. */
  offline(accountId: number): string | null {
    const h = this.health.get(accountId);
    return h?.state === 'unreachable' ? h.message : null;
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
   * One Gmail call for an account, paced and retried by the governor. An `invalid_grant` (token revoked or expired
   * for good) flags the account "needs reconnect" — its data stays — and surfaces as AccountNeedsReconnectError,
   * which processors turn into an unrecoverable job failure. `answeredInBatch`: the request was a part of a batch
   * and failed with this; the governor decides whether it goes again (QuotaGovernor.call). `parts`: the call is a batch
   * of that many parts of `method`.
   */
  async call<T>(
    accountId: number,
    method: GmailMethod,
    fn: (gmail: gmail_v1.Gmail) => Promise<T>,
    parts?: number,
    opts: { answeredInBatch?: GmailError; interactive?: boolean } = {},
  ): Promise<T> {
    // A stored token that cannot be used (unreadable, another client's) throws AccountNeedsReconnectError here, the
    // account flagged by authorizedClient().
    const { gmail, auth } = this.client(accountId);
    // DESIGN.md: a 401 refreshes the token once before the account is flagged. google-auth-library refreshes on a 401
    // only for credentials without an expiry date (its forceRefreshOnFailure would also refresh and resend, outside the
    // governor, on every 403 rate-limit answer), yet an access token can die before its expiry: a server-side reset, a
    // skewed clock. So a 401 marks the token expired, and the governor's one resend after a 401 refreshes it first; a
    // revoked grant then fails the refresh with invalid_grant.
    const expireOn401 = (err: GmailError): void => {
      if (err instanceof GmailAuthError && err.status === 401) auth.setCredentials({ ...auth.credentials, expiry_date: 1 });
    };
    if (opts.answeredInBatch) expireOn401(opts.answeredInBatch);
    const send = async (): Promise<T> => {
      try {
        const result = await fn(gmail);
        this.setHealth(accountId, null);
        return result;
      } catch (e) {
        const err = classifyGmailError(e);
        expireOn401(err);
        this.noteAttempt(accountId, err);
        throw err;
      }
    };
    try {
      return await this.deps.governor.call(this.seedProfile(accountId), method, send, {
        parts,
        answeredInBatch: opts.answeredInBatch,
        interactive: opts.interactive,
      });
    } catch (e) {
      this.fail(accountId, classifyGmailError(e));
    }
  }

  /** An attempt's answer, as the account's Gmail health: any HTTP answer but a server error means Gmail is there. */
  private noteAttempt(accountId: number, err: GmailError): void {
    if (err instanceof GmailTransientError) {
      this.setHealth(accountId, { state: err.status === undefined ? 'unreachable' : 'failing', message: err.message });
    } else this.setHealth(accountId, null);
  }

  /** Records how a call failed and throws: a refused token flags the account "needs reconnect" (its data stays). */
  private fail(accountId: number, err: Error): never {
    if (err instanceof GmailTransientError) this.noteAttempt(accountId, err);
    if (err instanceof GmailInvalidGrantError || err instanceof GmailAuthError) {
      markNeedsReconnect(this.deps.tokenRepo, accountId, err.message);
      this.forget(accountId);
      throw new AccountNeedsReconnectError(
        'Gmail refused this account\'s token: reconnect the account (its mirrored mail is kept).',
      );
    }
    throw err;
  }
}
