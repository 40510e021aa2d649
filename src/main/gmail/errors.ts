// Gmail API failures, one class per condition, each with a string `code` the sync code and the IPC layer
// branch on. `classifyGmailError` turns whatever googleapis / gaxios / google-auth-library / fetch threw into
// one of them. Error shapes: https://developers.google.com/workspace/gmail/api/guides/handle-errors
import { MailmirrorError } from '../errors';

export type RateLimitReason = 'rateLimitExceeded' | 'userRateLimitExceeded' | 'concurrent';

type ErrorInit = { status?: number; cause?: unknown };

/** Base class: never thrown itself. `retryable` tells the governor whether waiting can help. */
export abstract class GmailError extends MailmirrorError {
  abstract readonly retryable: boolean;
  /** HTTP status when the failure was an HTTP answer. */
  readonly status?: number;

  constructor(message: string, init: ErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
  }
}

/**
 * 429, or 403 with reason rateLimitExceeded / userRateLimitExceeded: the per-user budget (or the per-user
 * concurrency limit, reason 'concurrent') was exceeded. `retryAfterMs` comes from Retry-After or from the
 * "Retry after <date>" text in Gmail's message, when Gmail gave one.
 */
export class GmailRateLimitError extends GmailError {
  readonly code = 'RATE_LIMITED';
  readonly ipcCode = 'RATE_LIMITED';
  readonly retryable = true;
  constructor(
    message: string,
    readonly reason: RateLimitReason,
    readonly retryAfterMs: number | undefined,
    init: ErrorInit = {},
  ) {
    super(message, init);
  }
}

/** The project's daily quota (403 dailyLimitExceeded / quotaExceeded): nothing to gain by retrying soon. */
export class QuotaExhaustedError extends GmailError {
  readonly code = 'QUOTA_EXHAUSTED';
  readonly ipcCode = 'RATE_LIMITED';
  readonly retryable = false;
  constructor(message: string, readonly retryAfterMs: number | undefined, init: ErrorInit = {}) {
    super(message, init);
  }
}

/**
 * 401 (or the token endpoint refusing the OAuth client). Not `retryable`: the governor sends a request once more after
 * a 401, the token refreshed first; a second one flags the account.
 */
export class GmailAuthError extends GmailError {
  readonly code = 'AUTH_EXPIRED';
  readonly ipcCode = 'AUTH_EXPIRED';
  readonly retryable = false;
}

/** The token endpoint answered `invalid_grant`: the refresh token was revoked or expired; reconnect needed. */
export class GmailInvalidGrantError extends GmailError {
  readonly code = 'AUTH_REVOKED';
  readonly ipcCode = 'AUTH_EXPIRED';
  readonly retryable = false;
}

/** 403 other than rate limiting (insufficientPermissions, domainPolicy, …). */
export class GmailForbiddenError extends GmailError {
  readonly code = 'GMAIL_FORBIDDEN';
  readonly ipcCode = 'INTERNAL';
  readonly retryable = false;
  constructor(message: string, readonly reason: string | undefined, init: ErrorInit = {}) {
    super(message, init);
  }
}

/** 404: a message deleted meanwhile, or history.list's startHistoryId too old (full resync needed). */
export class GmailNotFoundError extends GmailError {
  readonly code = 'GMAIL_NOT_FOUND';
  readonly ipcCode = 'NOT_FOUND';
  readonly retryable = false;
}

/** 5xx, 408, a reset or refused connection, a timeout: worth retrying with backoff. */
export class GmailTransientError extends GmailError {
  readonly code = 'GMAIL_UNAVAILABLE';
  readonly ipcCode = 'OFFLINE';
  readonly retryable = true;
}

/** 400 and other 4xx: our request is wrong; retrying the same request cannot help. */
export class GmailBadRequestError extends GmailError {
  readonly code = 'GMAIL_BAD_REQUEST';
  readonly ipcCode = 'INTERNAL';
  readonly retryable = false;
}

/** Anything that is not an HTTP or network failure (a bug in a callback, a parse error): not retried. */
export class GmailUnexpectedError extends GmailError {
  readonly code = 'GMAIL_UNEXPECTED';
  readonly ipcCode = 'INTERNAL';
  readonly retryable = false;
}

/** More parts than Gmail's batch endpoint accepts (100). */
export class BatchTooLargeError extends MailmirrorError {
  readonly code = 'BATCH_TOO_LARGE';
  readonly ipcCode = 'INTERNAL';
}

// Node/undici/node-fetch error codes and DOMException names that mean "the network failed, try again".
const NETWORK_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH',
  'ENETDOWN', 'EHOSTUNREACH', 'EHOSTDOWN', 'ESOCKETTIMEDOUT', 'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CLOSED',
  'TimeoutError', 'AbortError',
]);

const RATE_LIMIT_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded']);
const DAILY_QUOTA_REASONS = new Set(['dailyLimitExceeded', 'quotaExceeded']);

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Reads one header from a fetch `Headers`, a plain object (any case), or nothing. */
export function headerValue(headers: unknown, name: string): string | undefined {
  if (!isRec(headers)) return undefined;
  if (typeof headers.get === 'function') {
    const v: unknown = (headers as { get(n: string): unknown }).get(name);
    return typeof v === 'string' ? v : undefined;
  }
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() !== lower) continue;
    if (typeof v === 'string') return v;
    if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
    if (typeof v === 'number') return String(v);
  }
  return undefined;
}

/** Retry-After is either delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Gmail puts the retry time in the message: "User-rate limit exceeded.  Retry after 2026-05-01T12:00:00.000Z". */
export function parseRetryAfterText(message: string | undefined, now = Date.now()): number | undefined {
  const m = message?.match(/Retry after (\S+?)\.?(?:\s|$)/i);
  if (!m) return undefined;
  const at = Date.parse(m[1]);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function statusOf(e: Rec, response: Rec | undefined): number | undefined {
  for (const v of [e.status, response?.status, e.code]) {
    if (typeof v === 'number' && v >= 100 && v < 600) return v;
    if (typeof v === 'string' && /^[1-5]\d\d$/.test(v)) return Number(v);
  }
  return undefined;
}

function networkCode(e: unknown, depth = 0): string | undefined {
  if (!isRec(e) || depth > 4) return undefined;
  for (const c of [e.code, e.name, e.type === 'aborted' ? 'AbortError' : undefined]) {
    if (typeof c === 'string' && NETWORK_CODES.has(c)) return c;
  }
  if (typeof e.message === 'string' && /socket hang up|other side closed|terminated/i.test(e.message)) return 'ECONNRESET';
  return networkCode(e.cause, depth + 1) ?? networkCode(e.error, depth + 1);
}

/**
 * Maps anything a Gmail call can throw to one GmailError. Reads the HTTP status (`e.status`, `e.response.status`
 * or a numeric `e.code`), the reason at `e.response.data.error.errors[0].reason`, Retry-After from the response
 * headers (a `Headers` object or a plain object) and the "Retry after <date>" in Gmail's message.
 */
export function classifyGmailError(e: unknown): GmailError {
  if (e instanceof GmailError) return e;
  const err: Rec = isRec(e) ? e : {};
  const response = isRec(err.response) ? err.response : undefined;
  const data = response?.data;
  const apiError = isRec(data) && isRec(data.error) ? data.error : undefined;
  const firstError = apiError && Array.isArray(apiError.errors) && isRec(apiError.errors[0]) ? apiError.errors[0] : undefined;
  const reason = str(firstError?.reason) ?? (Array.isArray(err.errors) && isRec(err.errors[0]) ? str(err.errors[0].reason) : undefined);
  const message = str(apiError?.message) ?? str(firstError?.message) ?? str(err.message) ?? String(e);
  const status = statusOf(err, response);
  const init: ErrorInit = { status, cause: e };

  // google-auth-library's refresh failure: the token endpoint's body is { error: 'invalid_grant', … }.
  if ((isRec(data) && data.error === 'invalid_grant') || err.message === 'invalid_grant') {
    return new GmailInvalidGrantError('Gmail access was revoked or expired (invalid_grant): reconnect the account', init);
  }
  const retryAfter = (): number | undefined => {
    const fromHeader = parseRetryAfter(headerValue(response?.headers, 'retry-after'));
    const fromText = parseRetryAfterText(message);
    if (fromHeader === undefined) return fromText;
    return fromText === undefined ? fromHeader : Math.max(fromHeader, fromText);
  };

  if (status === undefined) {
    const code = networkCode(e);
    if (code === 'AbortError' || code === 'TimeoutError') return new GmailTransientError(`Gmail did not answer in time: ${message}`, init);
    if (code) return new GmailTransientError(`Gmail unreachable (${code}): ${message}`, init);
    return new GmailUnexpectedError(message, init);
  }
  if (status === 429 || (status === 403 && (RATE_LIMIT_REASONS.has(reason ?? '') || apiError?.status === 'RESOURCE_EXHAUSTED'))) {
    const why: RateLimitReason = /concurrent/i.test(message)
      ? 'concurrent'
      : reason === 'userRateLimitExceeded' ? 'userRateLimitExceeded' : 'rateLimitExceeded';
    return new GmailRateLimitError(message, why, retryAfter(), init);
  }
  if (status === 403 && DAILY_QUOTA_REASONS.has(reason ?? '')) return new QuotaExhaustedError(message, retryAfter(), init);
  // The token endpoint refused the OAuth client itself (unknown client, wrong secret, or a refresh token issued
  // to another client): no retry helps; the account must be connected again with the client now configured.
  if (isRec(data) && (data.error === 'invalid_client' || data.error === 'unauthorized_client')) {
    return new GmailAuthError(
      `Google refused the OAuth client for this account (${data.error}): reconnect it with the client now configured; its mirrored mail is kept`,
      init,
    );
  }
  if (status === 401) return new GmailAuthError(message, init);
  if (status === 403) return new GmailForbiddenError(message, reason, init);
  if (status === 404) return new GmailNotFoundError(message, init);
  if (status >= 500 || status === 408) return new GmailTransientError(message, init);
  if (status === 400 && isRec(data) && typeof data.error === 'string') {
    // OAuth token endpoint errors other than invalid_grant (invalid_client, …) are auth problems, not ours to retry.
    return new GmailAuthError(`${data.error}: ${str(data.error_description) ?? message}`, init);
  }
  return new GmailBadRequestError(message, init);
}
