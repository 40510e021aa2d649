// OAuth 2.0 for installed apps: loopback redirect on 127.0.0.1, PKCE (S256), a random state.
// https://developers.google.com/identity/protocols/oauth2/native-app
// Every endpoint comes from AppConfig, so the same code talks to Google or to the emulator.
import { spawn } from 'node:child_process';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CodeChallengeMethod, OAuth2Client, type Credentials, type OAuth2ClientOptions } from 'google-auth-library';
import type { AppConfig } from '../config';
import { networkErrorCode, unreachable, type HttpishError } from './net-errors';
import { OAuthClientMissingError } from './oauth-client-store';
import { redactSecrets, registerSecret } from './redact';
import { MailmirrorError } from '../errors';

export { describeEndpoint, EndpointUnreachableError, networkErrorCode, unreachable } from './net-errors';

export const GMAIL_READONLY_SCOPE = 'https://www.googleapis.com/auth/gmail.readonly';
const CALLBACK_PATH = '/oauth2/callback';
const DEFAULT_TIMEOUT_MS = 5 * 60_000;

export { OAuthClientMissingError } from './oauth-client-store';

/** The user said no on the consent screen (error=access_denied). */
export class OAuthConsentDeniedError extends MailmirrorError {
  readonly code = 'OAUTH_DENIED';
  readonly ipcCode = 'CANCELLED';
  constructor() {
    super('access was not granted: the consent screen was declined');
  }
}

export class OAuthTimeoutError extends MailmirrorError {
  readonly code = 'OAUTH_TIMEOUT';
  readonly ipcCode = 'TIMEOUT';
  /** `ignored`: answers refused meanwhile because they did not belong to this sign-in (wrong state). */
  constructor(ms: number, ignored = 0) {
    const note = ignored > 0 ? ` (${ignored === 1 ? '1 answer' : `${ignored} answers`} that did not match this sign-in ignored)` : '';
    super(`no answer from the browser within ${Math.round(ms / 1000)} s${note}; run \`account add\` again`);
  }
}

export class OAuthAbortedError extends MailmirrorError {
  readonly code = 'OAUTH_ABORTED';
  readonly ipcCode = 'CANCELLED';
  constructor() {
    super('connecting was cancelled');
  }
}

/** The authorization server redirected back with an error other than a refusal. */
export class OAuthAuthorizationError extends MailmirrorError {
  readonly code = 'OAUTH_AUTHORIZATION_FAILED';
  readonly ipcCode = 'AUTH_EXPIRED';
}

/** users.getProfile failed with an answer (not a network failure) right after consent. */
export class ProfileUnavailableError extends MailmirrorError {
  readonly code = 'PROFILE_UNAVAILABLE';
  readonly ipcCode = 'INTERNAL';
}

/** The token endpoint refused the authorization code (or answered something unusable). */
export class OAuthExchangeError extends MailmirrorError {
  readonly code = 'OAUTH_EXCHANGE_FAILED';
  readonly ipcCode = 'AUTH_EXPIRED';
}

/** Without a refresh token the mirror could not keep itself current after an hour. */
export class OAuthNoRefreshTokenError extends MailmirrorError {
  readonly code = 'OAUTH_NO_REFRESH_TOKEN';
  readonly ipcCode = 'AUTH_EXPIRED';
  constructor() {
    super('the authorization server returned no refresh token; remove the app\'s access in your Google account settings and connect again');
  }
}

export function oauthClientOptions(config: AppConfig, redirectUri?: string): OAuth2ClientOptions {
  return {
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    redirectUri,
    endpoints: {
      oauth2AuthBaseUrl: config.oauthAuthUrl,
      oauth2TokenUrl: config.oauthTokenUrl,
      oauth2RevokeUrl: config.oauthRevokeUrl,
    },
  };
}

/** An OAuth2Client bound to the configured endpoints and client. */
export function createOAuthClient(config: AppConfig, redirectUri?: string): OAuth2Client {
  return new OAuth2Client(oauthClientOptions(config, redirectUri));
}

/** Registers every token of a set for redaction (see redact.ts). */
export function registerTokenSecrets(tokens: Credentials): void {
  registerSecret(tokens.access_token);
  registerSecret(tokens.refresh_token);
  registerSecret(tokens.id_token);
}

/** users.getProfile: the address behind a token set. */
export async function fetchProfileEmail(config: AppConfig, client: OAuth2Client): Promise<string> {
  // Not paced by the quota governor: there is no account yet, and it is one call of 1 unit.
  // Loaded on first use: googleapis takes a while to load, and most users of this module never call it.
  const { createGmailClient } = await import('./client.js');
  const gmail = createGmailClient({ rootUrl: config.gmailApiUrl, auth: client, timeoutMs: 30_000 });
  try {
    const res = await gmail.users.getProfile({ userId: 'me' });
    const email = res.data.emailAddress;
    if (!email) throw new OAuthExchangeError('Gmail did not say which address this account has');
    return email;
  } catch (e) {
    if (e instanceof OAuthExchangeError) throw e;
    const net = networkErrorCode(e);
    if (net) throw unreachable('Gmail API', config.gmailApiUrl, net);
    // The raw error carries the request, bearer token included: keep only what Gmail said.
    const { classifyGmailError } = await import('./errors.js');
    throw new ProfileUnavailableError(`Gmail refused to say which address this is: ${redactSecrets(classifyGmailError(e).message)}`);
  }
}

export type InstalledAppFlowOptions = {
  config: AppConfig;
  /** Called once with the URL the user must open (print it: the browser may not open). */
  onUrl: (url: string) => void;
  openBrowser?: boolean;
  timeoutMs?: number;
  loginHint?: string;
  signal?: AbortSignal;
};

type Callback = { code: string; respond: (status: number, html: string) => Promise<void> };

/**
 * Runs the whole consent flow and returns the token set and the account's address.
 * Anything that fetches the printed URL and follows its redirects completes it.
 */
export async function runInstalledAppFlow(opts: InstalledAppFlowOptions): Promise<{ tokens: Credentials; email: string }> {
  const { config } = opts;
  if (!config.clientId) throw new OAuthClientMissingError();
  if (opts.signal?.aborted) throw new OAuthAbortedError();

  const state = randomBytes(24).toString('base64url');
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  let pending: PendingCallback | undefined;
  try {
    const { port } = server.address() as AddressInfo;
    const redirectUri = `http://127.0.0.1:${port}${CALLBACK_PATH}`;
    const client = createOAuthClient(config, redirectUri);
    const { codeVerifier, codeChallenge } = await client.generateCodeVerifierAsync();
    const url = client.generateAuthUrl({
      access_type: 'offline',
      prompt: 'consent',
      scope: [GMAIL_READONLY_SCOPE],
      state,
      code_challenge: codeChallenge,
      code_challenge_method: CodeChallengeMethod.S256,
      ...(opts.loginHint ? { login_hint: opts.loginHint } : {}),
    });

    pending = waitForCallback(server, state, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, opts.signal);
    opts.onUrl(url);
    if (opts.openBrowser !== false) openInBrowser(url);
    const { code, respond } = await pending.promise;

    try {
      const tokens = await exchangeCode(config, client, code, codeVerifier);
      client.setCredentials(tokens);
      const email = await fetchProfileEmail(config, client);
      await respond(200, page('Mailmirror is connected', `Connected ${escapeHtml(email)}. You can close this tab and return to Mailmirror.`));
      return { tokens, email };
    } catch (e) {
      await respond(502, page('Mailmirror could not connect', `${escapeHtml(redactSecrets(e instanceof Error ? e.message : String(e)))}. You can close this tab.`));
      throw e;
    }
  } finally {
    pending?.cancel();
    server.close();
    server.closeAllConnections();
  }
}

async function exchangeCode(config: AppConfig, client: OAuth2Client, code: string, codeVerifier: string): Promise<Credentials> {
  let tokens: Credentials;
  try {
    ({ tokens } = await client.getToken({ code, codeVerifier }));
  } catch (e) {
    const net = networkErrorCode(e);
    if (net) throw unreachable('OAuth token endpoint', config.oauthTokenUrl, net);
    const data = (e as HttpishError).response?.data;
    const reason = data && typeof data === 'object' && 'error' in data ? String((data as { error: unknown }).error) : undefined;
    throw new OAuthExchangeError(`the token endpoint refused the authorization${reason ? ` (${redactSecrets(reason)})` : ''}`);
  }
  registerTokenSecrets(tokens);
  if (!tokens.access_token) throw new OAuthExchangeError('the token endpoint returned no access token');
  if (!tokens.refresh_token) throw new OAuthNoRefreshTokenError();
  return tokens;
}

type PendingCallback = { promise: Promise<Callback>; cancel: () => void };

function waitForCallback(server: Server, state: string, timeoutMs: number, signal?: AbortSignal): PendingCallback {
  let cancel = () => undefined as void;
  const promise = new Promise<Callback>((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    // Requests that do not carry this flow's state (RFC 6749 §10.12) are refused and otherwise
    // ignored, so no other local process can end a sign-in by calling the callback first.
    let ignored = 0;
    const timer = setTimeout(() => finish(() => reject(new OAuthTimeoutError(timeoutMs, ignored))), timeoutMs);
    const onAbort = () => finish(() => reject(new OAuthAbortedError()));
    signal?.addEventListener('abort', onAbort, { once: true });
    cancel = () => finish(() => reject(new OAuthAbortedError()));

    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const respond = (status: number, html: string) => send(res, status, html);
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (req.method !== 'GET' || url.pathname !== CALLBACK_PATH) {
        void respond(404, page('Not found', 'This address only receives Mailmirror\'s sign-in answer.'));
        return;
      }
      if (settled) {
        void respond(410, page('Already answered', 'This sign-in has already been answered. You can close this tab.'));
        return;
      }
      const q = url.searchParams;
      const code = q.get('code');
      const error = q.get('error');
      if (!sameState(q.get('state'), state)) {
        // Not this sign-in's answer (a stale tab, or anything else on this machine): the flow keeps
        // waiting for the real one until its timeout or cancel.
        ignored++;
        void respond(400, page('Not this sign-in', 'This answer does not belong to the sign-in Mailmirror is waiting for. You can close this tab.'));
        return;
      }
      if (!code && !error) {
        void respond(400, page('Nothing to do', 'This page expects the answer of the sign-in page.'));
        return;
      }
      if (error) {
        const denied = error === 'access_denied';
        void respond(200, page(
          denied ? 'Mailmirror was not connected' : 'Mailmirror could not connect',
          denied ? 'Access was not granted. You can close this tab.' : `The sign-in page answered "${escapeHtml(error)}". You can close this tab.`,
        ));
        finish(() => reject(denied ? new OAuthConsentDeniedError() : new OAuthAuthorizationError(`the authorization server answered "${redactSecrets(error)}"`)));
        return;
      }
      // The browser waits for the exchange so its tab can say whether connecting worked.
      finish(() => resolve({ code: code as string, respond }));
    });
  });
  // Settled by cancel() when the flow fails before awaiting it: never an unhandled rejection.
  promise.catch(() => undefined);
  return { promise, cancel: () => cancel() };
}

function sameState(got: string | null, want: string): boolean {
  if (got === null) return false;
  const a = Buffer.from(got);
  const b = Buffer.from(want);
  return a.length === b.length && timingSafeEqual(a, b);
}

function send(res: ServerResponse, status: number, html: string): Promise<void> {
  return new Promise((resolve) => {
    if (res.writableEnded) {
      resolve();
      return;
    }
    res.writeHead(status, {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
      'Referrer-Policy': 'no-referrer',
      Connection: 'close',
    });
    res.end(html, () => resolve());
  });
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>`
    + '<style>body{font:16px system-ui,sans-serif;max-width:32em;margin:15vh auto;padding:0 1em;color:#222}'
    + '@media(prefers-color-scheme:dark){body{background:#1e1e1e;color:#eee}}</style></head>'
    + `<body><h1>${escapeHtml(title)}</h1><p>${body}</p></body></html>`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Best effort: the URL is printed anyway, so any failure to launch a browser is ignored. */
export function openInBrowser(url: string): void {
  const [cmd, args] = process.platform === 'darwin'
    ? ['open', [url]]
    : process.platform === 'win32'
      // `start` would need cmd.exe quoting of '&' in the URL; the URL protocol handler does not.
      ? ['rundll32', ['url.dll,FileProtocolHandler', url]]
      : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // No browser launcher on this machine: the printed URL is the fallback.
  }
}
