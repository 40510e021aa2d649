/**
 * Google's JSON error bodies, as the Gmail API returns them
 * (https://developers.google.com/workspace/gmail/api/guides/handle-errors):
 * {"error": {"code", "message", "errors": [{"message", "domain", "reason"}], "status"}}.
 */

export type ApiResponse = {
  status: number;
  headers?: Record<string, string>;
  /** JSON text (or raw bytes for non-JSON answers). */
  body: string | Buffer;
  contentType?: string;
};

const STATUS_TEXT: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

export function googleError(
  code: number,
  message: string,
  reason: string,
  opts: { domain?: string; detailMessage?: string; location?: string; locationType?: string; headers?: Record<string, string> } = {},
): ApiResponse {
  const item: Record<string, string> = { message: opts.detailMessage ?? message, domain: opts.domain ?? 'global', reason };
  if (opts.location) item.location = opts.location;
  if (opts.locationType) item.locationType = opts.locationType;
  const body = JSON.stringify({ error: { code, message, errors: [item], status: STATUS_TEXT[code] ?? 'UNKNOWN' } });
  return { status: code, body, headers: opts.headers };
}

export const notFound = (): ApiResponse => googleError(404, 'Requested entity was not found.', 'notFound');

export const badRequest = (message: string, reason = 'invalidArgument'): ApiResponse => googleError(400, message, reason);

export const unauthorized = (): ApiResponse =>
  googleError(
    401,
    'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
    'authError',
    {
      detailMessage: 'Invalid Credentials',
      location: 'Authorization',
      locationType: 'header',
      headers: { 'WWW-Authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
    },
  );

export const insufficientScope = (): ApiResponse =>
  googleError(403, 'Request had insufficient authentication scopes.', 'insufficientPermissions', {
    detailMessage: 'Insufficient Permission',
    headers: { 'WWW-Authenticate': 'Bearer realm="https://accounts.google.com/", error="insufficient_scope"' },
  });

export const backendError = (): ApiResponse => googleError(500, 'Backend Error', 'backendError');

export const unavailable = (): ApiResponse => googleError(503, 'The service is currently unavailable.', 'backendError');

/** "User-rate limit exceeded.  Retry after <ISO>" (two spaces, as Gmail writes it). */
export function userRateLimit(style: '429' | '403', retryAtMs: number, nowMs: number): ApiResponse {
  const message = `User-rate limit exceeded.  Retry after ${new Date(retryAtMs).toISOString()}`;
  const retryAfter = String(Math.max(1, Math.ceil((retryAtMs - nowMs) / 1000)));
  return style === '403'
    ? googleError(403, message, 'userRateLimitExceeded', { domain: 'usageLimits', headers: { 'Retry-After': retryAfter } })
    : googleError(429, message, 'rateLimitExceeded', { domain: 'usageLimits', headers: { 'Retry-After': retryAfter } });
}

export const tooManyConcurrent = (): ApiResponse => googleError(429, 'Too many concurrent requests for user.', 'rateLimitExceeded');

export function jsonOk(body: string): ApiResponse {
  return { status: 200, body };
}
