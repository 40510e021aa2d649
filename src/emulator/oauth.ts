/**
 * Google's OAuth 2.0 endpoints for installed apps, reduced to what a loopback client uses
 * (https://developers.google.com/identity/protocols/oauth2/native-app): the authorization endpoint
 * consents at once and redirects with a code; the token endpoint exchanges codes (PKCE S256 checked)
 * and refresh tokens; revoke ends a grant. Success and error bodies follow Google's JSON shapes.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { ApiResponse } from './errors';

type Grant = { email: string; clientId: string; scope: string; refreshToken?: string; revoked: boolean };
type AccessToken = { grant: Grant; expiresAt: number };
type AuthCode = {
  clientId: string;
  redirectUri: string;
  challenge: string;
  scope: string;
  email: string;
  offline: boolean;
  expiresAt: number;
  used: boolean;
};

export type OAuthStats = { authorizations: number; codeExchanges: number; refreshes: number; revocations: number; invalidGrants: number };

export type OAuthHooks = {
  /** The account that consents: a known login_hint, else the configured consent account. */
  consentAccount(loginHint: string | undefined): string | undefined;
  stats: OAuthStats;
};

export type Principal = { email: string; scope: string };

const CODE_TTL_MS = 10 * 60_000;

function token(prefix: string): string {
  return prefix + randomBytes(32).toString('base64url');
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): ApiResponse {
  return {
    status,
    body: JSON.stringify(body),
    contentType: 'application/json; charset=utf-8',
    headers: { 'Cache-Control': 'no-cache, no-store, max-age=0, must-revalidate', Pragma: 'no-cache', ...headers },
  };
}

function oauthError(status: number, error: string, description: string): ApiResponse {
  return json(status, { error, error_description: description });
}

function errorPage(status: number, title: string, detail: string): ApiResponse {
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return {
    status,
    contentType: 'text/html; charset=utf-8',
    body: `<!doctype html><html><head><title>${esc(title)}</title></head><body><h1>${esc(title)}</h1><p>${esc(detail)}</p></body></html>`,
  };
}

function isLoopback(uri: string): boolean {
  try {
    const u = new URL(uri);
    return u.protocol === 'http:' && (u.hostname === '127.0.0.1' || u.hostname === 'localhost' || u.hostname === '[::1]');
  } catch {
    return false;
  }
}

/** Form or JSON request bodies (Google's token endpoint takes both). */
export function parseBody(body: Buffer, contentType: string | undefined): Record<string, string> {
  const text = body.toString('utf8');
  if ((contentType ?? '').includes('application/json')) {
    try {
      const o = JSON.parse(text) as unknown;
      if (o && typeof o === 'object') {
        const out: Record<string, string> = {};
        for (const [k, v] of Object.entries(o)) if (typeof v === 'string') out[k] = v;
        return out;
      }
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(text));
}

export class OAuthServer {
  private readonly codes = new Map<string, AuthCode>();
  private readonly access = new Map<string, AccessToken>();
  private readonly refresh = new Map<string, Grant>();
  private readonly grants = new Set<Grant>();

  constructor(
    readonly clientId: string,
    readonly clientSecret: string,
    private readonly ttlSec: number,
    private readonly hooks: OAuthHooks,
  ) {}

  /** GET /o/oauth2/v2/auth */
  authorize(q: URLSearchParams): ApiResponse {
    const clientId = q.get('client_id');
    const redirectUri = q.get('redirect_uri');
    if (!clientId) return errorPage(400, 'Error 400: invalid_request', 'Missing required parameter: client_id');
    if (clientId !== this.clientId) return errorPage(401, 'Error 401: invalid_client', 'The OAuth client was not found.');
    if (!redirectUri) return errorPage(400, 'Error 400: invalid_request', 'Missing required parameter: redirect_uri');
    if (!isLoopback(redirectUri)) {
      return errorPage(400, 'Error 400: redirect_uri_mismatch', 'Installed apps must redirect to a loopback address (http://127.0.0.1:port).');
    }
    const state = q.get('state');
    const back = (params: Record<string, string>): ApiResponse => {
      const u = new URL(redirectUri);
      if (state !== null) u.searchParams.set('state', state);
      for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
      return { status: 302, body: '', headers: { Location: u.toString() }, contentType: 'text/html; charset=utf-8' };
    };
    if (q.get('response_type') !== 'code') return back({ error: 'unsupported_response_type', error_description: 'Invalid response_type' });
    const scope = (q.get('scope') ?? '').trim();
    if (!scope) return back({ error: 'invalid_request', error_description: 'Missing required parameter: scope' });
    const challenge = q.get('code_challenge');
    if (!challenge || !/^[A-Za-z0-9_-]{43,128}$/.test(challenge)) {
      return back({ error: 'invalid_request', error_description: 'Missing or invalid code_challenge (PKCE is required)' });
    }
    if (q.get('code_challenge_method') !== 'S256') {
      return back({ error: 'invalid_request', error_description: 'code_challenge_method must be S256' });
    }
    const email = this.hooks.consentAccount(q.get('login_hint') ?? undefined);
    if (!email) return back({ error: 'access_denied', error_description: 'No account to consent with' });
    const code = token('4/0A');
    this.codes.set(code, {
      clientId,
      redirectUri,
      challenge,
      scope,
      email,
      offline: q.get('access_type') === 'offline',
      expiresAt: Date.now() + CODE_TTL_MS,
      used: false,
    });
    this.hooks.stats.authorizations++;
    return back({ code, scope });
  }

  private clientFrom(params: Record<string, string>, authorization: string | undefined): { id?: string; secret?: string } {
    if (authorization?.startsWith('Basic ')) {
      const [id, secret] = Buffer.from(authorization.slice(6), 'base64').toString('utf8').split(':');
      return { id: decodeURIComponent(id ?? ''), secret: decodeURIComponent(secret ?? '') };
    }
    return { id: params.client_id, secret: params.client_secret };
  }

  private issue(grant: Grant): { access_token: string; expires_in: number } {
    const t = token('ya29.');
    this.access.set(t, { grant, expiresAt: Date.now() + this.ttlSec * 1000 });
    return { access_token: t, expires_in: this.ttlSec };
  }

  /** POST /token */
  token(params: Record<string, string>, authorization: string | undefined): ApiResponse {
    const client = this.clientFrom(params, authorization);
    if (!client.id || client.id !== this.clientId) return oauthError(401, 'invalid_client', 'The OAuth client was not found.');
    if (client.secret !== this.clientSecret) return oauthError(401, 'invalid_client', 'Unauthorized');
    const grantType = params.grant_type ?? '';
    if (grantType === 'authorization_code') {
      const code = params.code ? this.codes.get(params.code) : undefined;
      if (!params.code) return oauthError(400, 'invalid_request', 'Missing required parameter: code');
      if (!code || code.used || code.expiresAt < Date.now() || code.clientId !== client.id) {
        this.hooks.stats.invalidGrants++;
        return oauthError(400, 'invalid_grant', 'Bad Request');
      }
      if (params.redirect_uri !== code.redirectUri) return oauthError(400, 'redirect_uri_mismatch', 'Bad Request');
      const verifier = params.code_verifier;
      if (!verifier) {
        this.hooks.stats.invalidGrants++;
        return oauthError(400, 'invalid_grant', 'Missing code verifier.');
      }
      const expected = createHash('sha256').update(verifier).digest('base64url');
      if (expected !== code.challenge) {
        this.hooks.stats.invalidGrants++;
        return oauthError(400, 'invalid_grant', 'Invalid code verifier.');
      }
      // A code is good once; a replay is refused (RFC 6749 §4.1.2).
      code.used = true;
      const grant: Grant = { email: code.email, clientId: client.id, scope: code.scope, revoked: false };
      this.grants.add(grant);
      const out: Record<string, string | number> = { ...this.issue(grant) };
      if (code.offline) {
        grant.refreshToken = token('1//0');
        this.refresh.set(grant.refreshToken, grant);
        out.refresh_token = grant.refreshToken;
      }
      out.scope = code.scope;
      out.token_type = 'Bearer';
      this.hooks.stats.codeExchanges++;
      return json(200, out);
    }
    if (grantType === 'refresh_token') {
      if (!params.refresh_token) return oauthError(400, 'invalid_request', 'Missing required parameter: refresh_token');
      const grant = this.refresh.get(params.refresh_token);
      if (!grant || grant.revoked || grant.clientId !== client.id) {
        this.hooks.stats.invalidGrants++;
        return oauthError(400, 'invalid_grant', 'Token has been expired or revoked.');
      }
      this.hooks.stats.refreshes++;
      return json(200, { ...this.issue(grant), scope: grant.scope, token_type: 'Bearer' });
    }
    return oauthError(400, 'unsupported_grant_type', `Invalid grant_type: ${grantType}`);
  }

  /** POST /revoke?token=… (or token in the form body): revoking either token ends the whole grant. */
  revoke(tokenValue: string | undefined): ApiResponse {
    const grant = tokenValue ? (this.refresh.get(tokenValue) ?? this.access.get(tokenValue)?.grant) : undefined;
    if (!grant || grant.revoked) return oauthError(400, 'invalid_token', 'Token expired or revoked');
    grant.revoked = true;
    this.hooks.stats.revocations++;
    return json(200, {});
  }

  /** GET /tokeninfo?access_token=… */
  tokenInfo(q: URLSearchParams): ApiResponse {
    const t = q.get('access_token') ?? '';
    const at = this.access.get(t);
    if (!at || at.grant.revoked || at.expiresAt <= Date.now()) return oauthError(400, 'invalid_token', 'Invalid Value');
    const expiresIn = Math.floor((at.expiresAt - Date.now()) / 1000);
    return json(200, {
      azp: at.grant.clientId,
      aud: at.grant.clientId,
      scope: at.grant.scope,
      exp: String(Math.floor(at.expiresAt / 1000)),
      expires_in: String(expiresIn),
      email: at.grant.email,
      email_verified: 'true',
      access_type: at.grant.refreshToken ? 'offline' : 'online',
    });
  }

  /** The account behind a bearer token, or null (unknown, expired, revoked). */
  authenticate(authorization: string | undefined): Principal | null {
    if (!authorization) return null;
    const m = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!m) return null;
    const at = this.access.get(m[1]);
    if (!at) return null;
    if (at.grant.revoked) return null;
    if (at.expiresAt <= Date.now()) {
      this.access.delete(m[1]);
      return null;
    }
    return { email: at.grant.email, scope: at.grant.scope };
  }

  revokeAccount(email: string): void {
    for (const g of this.grants) if (g.email === email) g.revoked = true;
  }
}
