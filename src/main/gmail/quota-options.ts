// The governor's options, a call's options and its counters (quota-governor.ts).
import type { GmailError } from './errors';
import type { PacingOptions } from './quota-pacing';
import type { QuotaProfileSetting } from './quota-profile';

export type QuotaGovernorOptions = Omit<PacingOptions, 'profile'> & {
  /** The quota table, or `auto`: found out per account (quota-profile.ts). */
  profile: QuotaProfileSetting;
  /** Requests in flight per account in this process. */
  maxInFlight: number;
  /** Prefix of the Redis keys (one hash per account). */
  keyPrefix: string;
  /** Tries per call before the classified error is thrown (BullMQ's job attempts are the last resort). Default 6. */
  maxAttempts?: number;
  /** First backoff step; doubles per attempt up to 32 s, full jitter. Default 500 ms. */
  backoffBaseMs?: number;
};

export type CallOptions = {
  /** Units the call costs (default: the method's); k times the method's cost is a batch of k parts. */
  units?: number;
  /** A batch of this many parts of the method (k times its cost under the account's table); instead of units. */
  parts?: number;
  signal?: AbortSignal;
  /**
   * The request was sent already, as a part of a batch (Gmail answers each part on its own), and answered with this
   * error: that was its first attempt. Whether and when it goes again is decided as for any answer.
   */
  answeredInBatch?: GmailError;
  /**
   * Someone is waiting for this answer (a click in the reader): a network failure (no HTTP answer) is not sent
   * again — the user hears at once that Gmail cannot be reached instead of after every backoff — and other retryable
   * answers go again at most once more.
   */
  interactive?: boolean;
};

export type QuotaStats = { calls: number; units: number; rateLimited: number; retries: number; waitedMs: number };

export const emptyStats = (): QuotaStats => ({ calls: 0, units: 0, rateLimited: 0, retries: 0, waitedMs: 0 });
