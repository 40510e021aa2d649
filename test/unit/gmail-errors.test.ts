// classifyGmailError on errors shaped exactly as gaxios 7 builds them from Gmail's answers
// (https://developers.google.com/workspace/gmail/api/guides/handle-errors), plus network failures.
import { describe, expect, it } from 'vitest';
import { GaxiosError, type GaxiosOptionsPrepared, type GaxiosResponse } from 'gaxios';
import {
  classifyGmailError, GmailAuthError, GmailBadRequestError, GmailForbiddenError, GmailInvalidGrantError,
  GmailNotFoundError, GmailRateLimitError, GmailTransientError, GmailUnexpectedError, QuotaExhaustedError,
  parseRetryAfter, parseRetryAfterText,
} from '../../src/main/gmail/errors';

const GMAIL_URL = 'https://gmail.googleapis.com/gmail/v1/users/me/messages/18c2f0a1b2c3d4e5?format=full';

function config(url = GMAIL_URL): GaxiosOptionsPrepared {
  return { url: new URL(url), method: 'GET', headers: new Headers(), responseType: 'json' } as GaxiosOptionsPrepared;
}

/** What gaxios' _request does with a non-2xx answer: a read Response, the AIP-193 extract as cause. */
async function httpError(status: number, body: unknown, headers: Record<string, string> = {}, url = GMAIL_URL): Promise<GaxiosError> {
  const res = new Response(typeof body === 'string' ? body : JSON.stringify(body), {
    status, headers: { 'content-type': 'application/json; charset=UTF-8', ...headers },
  });
  const data: unknown = typeof body === 'string' ? await res.text() : await res.json();
  const cfg = config(url);
  const response = Object.assign(res, { config: cfg, data }) as GaxiosResponse;
  // gaxios' own (internal, so untyped) AIP-193 extraction, exactly as its _request calls it
  const extract = (GaxiosError as unknown as {
    extractAPIErrorFromResponse(r: GaxiosResponse, fallback: string): { message: string } | undefined;
  }).extractAPIErrorFromResponse;
  const info = extract(response, `Request failed with status code ${status}`);
  return new GaxiosError(info?.message ?? `Request failed with status code ${status}`, cfg, response, info);
}

function gmailBody(code: number, reason: string, message: string, domain = 'global', status?: string): unknown {
  return { error: { code, message, errors: [{ message, domain, reason }], ...(status ? { status } : {}) } };
}

/** What gaxios throws when fetch itself fails: the system error as cause, its code copied. */
function networkError(cause: Error): GaxiosError {
  return new GaxiosError(cause.message, config(), undefined, cause);
}

describe('classifyGmailError', () => {
  it('429 rateLimitExceeded with Retry-After seconds and Gmail\'s "Retry after" date', async () => {
    const at = new Date(Date.now() + 30_000).toISOString();
    const e = await httpError(429, gmailBody(429, 'rateLimitExceeded', `User-rate limit exceeded.  Retry after ${at}`, 'usageLimits', 'RESOURCE_EXHAUSTED'), { 'retry-after': '7' });
    const c = classifyGmailError(e);
    expect(c).toBeInstanceOf(GmailRateLimitError);
    expect(c.code).toBe('RATE_LIMITED');
    expect(c.status).toBe(429);
    expect(c.retryable).toBe(true);
    const r = c as GmailRateLimitError;
    expect(r.reason).toBe('rateLimitExceeded');
    // the later of the two: Gmail's date, about 30 s away
    expect(r.retryAfterMs).toBeGreaterThan(25_000);
    expect(r.retryAfterMs).toBeLessThanOrEqual(30_000);
    expect(c.cause).toBe(e);
  });

  it('429 with only a Retry-After header (seconds)', async () => {
    const e = await httpError(429, gmailBody(429, 'rateLimitExceeded', 'Rate Limit Exceeded', 'usageLimits'), { 'Retry-After': '3' });
    expect((classifyGmailError(e) as GmailRateLimitError).retryAfterMs).toBe(3000);
  });

  it('403 userRateLimitExceeded without a retry time', async () => {
    const e = await httpError(403, gmailBody(403, 'userRateLimitExceeded', 'User Rate Limit Exceeded', 'usageLimits'));
    const c = classifyGmailError(e) as GmailRateLimitError;
    expect(c).toBeInstanceOf(GmailRateLimitError);
    expect(c.reason).toBe('userRateLimitExceeded');
    expect(c.retryAfterMs).toBeUndefined();
  });

  it('403 rateLimitExceeded (quota metric per minute per user) is a rate limit', async () => {
    const msg = "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per user' of service 'gmail.googleapis.com' for consumer 'project_number:1234'.";
    const e = await httpError(403, gmailBody(403, 'rateLimitExceeded', msg, 'usageLimits'));
    expect(classifyGmailError(e)).toBeInstanceOf(GmailRateLimitError);
  });

  it('429 "Too many concurrent requests for user" is the concurrency limit', async () => {
    const e = await httpError(429, gmailBody(429, 'rateLimitExceeded', 'Too many concurrent requests for user.', 'usageLimits'));
    const c = classifyGmailError(e) as GmailRateLimitError;
    expect(c).toBeInstanceOf(GmailRateLimitError);
    expect(c.reason).toBe('concurrent');
  });

  it('daily project quota is exhausted, not retried', async () => {
    const e = await httpError(403, gmailBody(403, 'dailyLimitExceeded', 'Daily Limit Exceeded', 'usageLimits'));
    const c = classifyGmailError(e);
    expect(c).toBeInstanceOf(QuotaExhaustedError);
    expect(c.code).toBe('QUOTA_EXHAUSTED');
    expect(c.retryable).toBe(false);
  });

  it('401 after the refresh is an expired authorization', async () => {
    const e = await httpError(401, {
      error: {
        code: 401, message: 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
        errors: [{ message: 'Invalid Credentials', domain: 'global', reason: 'authError', location: 'Authorization', locationType: 'header' }],
        status: 'UNAUTHENTICATED',
      },
    });
    const c = classifyGmailError(e);
    expect(c).toBeInstanceOf(GmailAuthError);
    expect(c.code).toBe('AUTH_EXPIRED');
    expect(c.retryable).toBe(false);
  });

  it('invalid_grant from the token endpoint means the grant was revoked', async () => {
    const e = await httpError(400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' }, {}, 'https://oauth2.googleapis.com/token');
    expect(e.message).toBe('invalid_grant');
    const c = classifyGmailError(e);
    expect(c).toBeInstanceOf(GmailInvalidGrantError);
    expect(c.code).toBe('AUTH_REVOKED');
    expect(c.message).not.toMatch(/ya29|1\/\//); // never a token in the message
  });

  it('other OAuth errors (invalid_client) are auth errors, not bad requests', async () => {
    const e = await httpError(401, { error: 'invalid_client', error_description: 'The OAuth client was not found.' }, {}, 'https://oauth2.googleapis.com/token');
    expect(classifyGmailError(e)).toBeInstanceOf(GmailAuthError);
  });

  it('403 insufficientPermissions is forbidden, not a rate limit', async () => {
    const e = await httpError(403, gmailBody(403, 'insufficientPermissions', 'Request had insufficient authentication scopes.', 'global', 'PERMISSION_DENIED'));
    const c = classifyGmailError(e) as GmailForbiddenError;
    expect(c).toBeInstanceOf(GmailForbiddenError);
    expect(c.reason).toBe('insufficientPermissions');
  });

  it('404 (deleted message, expired history) is not found', async () => {
    const e = await httpError(404, gmailBody(404, 'notFound', 'Requested entity was not found.'));
    const c = classifyGmailError(e);
    expect(c).toBeInstanceOf(GmailNotFoundError);
    expect(c.code).toBe('GMAIL_NOT_FOUND');
    expect(c.ipcCode).toBe('NOT_FOUND');
  });

  it('400 is a bad request', async () => {
    const e = await httpError(400, gmailBody(400, 'invalidArgument', 'Invalid id value'));
    const c = classifyGmailError(e);
    expect(c).toBeInstanceOf(GmailBadRequestError);
    expect(c.code).toBe('GMAIL_BAD_REQUEST');
  });

  it('500 backendError, 502/503/504 (even with an HTML body) are transient', async () => {
    expect(classifyGmailError(await httpError(500, gmailBody(500, 'backendError', 'Backend Error')))).toBeInstanceOf(GmailTransientError);
    const html = classifyGmailError(await httpError(502, '<html><body>Bad Gateway</body></html>', { 'content-type': 'text/html' }));
    expect(html).toBeInstanceOf(GmailTransientError);
    expect(html.code).toBe('GMAIL_UNAVAILABLE');
    expect(classifyGmailError(await httpError(503, gmailBody(503, 'backendError', 'The service is currently unavailable.')))).toBeInstanceOf(GmailTransientError);
  });

  it('network resets, refused connections and timeouts are transient', () => {
    const reset = Object.assign(new Error('request to https://gmail.googleapis.com/ failed, reason: socket hang up'), { code: 'ECONNRESET', type: 'system' });
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED', errno: -111 });
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    const fetchFailed = new TypeError('fetch failed', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) });
    for (const e of [networkError(reset), networkError(refused), networkError(timeout), fetchFailed]) {
      const c = classifyGmailError(e);
      expect(c, String(e)).toBeInstanceOf(GmailTransientError);
      expect(c.status).toBeUndefined();
    }
    expect(classifyGmailError(networkError(reset)).message).toContain('ECONNRESET');
  });

  it('plain-object headers and an HTTP-date Retry-After work too', () => {
    const when = new Date(Date.now() + 10_000).toUTCString();
    const e = {
      code: 429, status: 429, message: 'Too Many Requests',
      response: { status: 429, headers: { 'Retry-After': when }, data: gmailBody(429, 'rateLimitExceeded', 'Rate Limit Exceeded') },
    };
    const c = classifyGmailError(e) as GmailRateLimitError;
    expect(c).toBeInstanceOf(GmailRateLimitError);
    expect(c.retryAfterMs).toBeGreaterThan(8_000);
    expect(c.retryAfterMs).toBeLessThanOrEqual(10_000);
  });

  it('anything else is unexpected and not retried; GmailErrors pass through', () => {
    const c = classifyGmailError(new TypeError("Cannot read properties of undefined (reading 'payload')"));
    expect(c).toBeInstanceOf(GmailUnexpectedError);
    expect(c.retryable).toBe(false);
    expect(classifyGmailError('weird')).toBeInstanceOf(GmailUnexpectedError);
    const nf = new GmailNotFoundError('gone', { status: 404 });
    expect(classifyGmailError(nf)).toBe(nf);
  });
});

describe('retry time parsing', () => {
  it('reads delta-seconds and HTTP dates, and Gmail\'s message text', () => {
    const now = Date.parse('2026-05-01T12:00:00.000Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Fri, 01 May 2026 12:00:05 GMT', now)).toBe(5_000);
    expect(parseRetryAfter('Fri, 01 May 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfterText('User-rate limit exceeded.  Retry after 2026-05-01T12:00:09.500Z', now)).toBe(9_500);
    expect(parseRetryAfterText('User-rate limit exceeded.  Retry after 2026-05-01T12:00:09.500Z.', now)).toBe(9_500);
    expect(parseRetryAfterText('Rate Limit Exceeded', now)).toBeUndefined();
  });
});
