// Shared by the emulator-*.test.ts files: the real OAuth code flow with PKCE, a googleapis Gmail
// client on the emulator, and a small reader for batch (multipart/mixed) answers.
import { google, type gmail_v1 } from 'googleapis';
import { CodeChallengeMethod, OAuth2Client, type Credentials } from 'google-auth-library';
import type { Emulator } from '../../src/emulator/index';

export const READONLY = 'https://www.googleapis.com/auth/gmail.readonly';
export const REDIRECT_URI = 'http://127.0.0.1:45678/oauth2callback';

export type Connected = { client: OAuth2Client; tokens: Credentials; gmail: gmail_v1.Gmail };

export function oauthClient(emu: Emulator, clientId = emu.clientId, clientSecret = emu.clientSecret): OAuth2Client {
  return new OAuth2Client({
    clientId,
    clientSecret,
    redirectUri: REDIRECT_URI,
    endpoints: { oauth2AuthBaseUrl: emu.oauth.authUrl, oauth2TokenUrl: emu.oauth.tokenUrl, oauth2RevokeUrl: emu.oauth.revokeUrl },
  });
}

export function gmailFor(emu: Emulator, auth: OAuth2Client): gmail_v1.Gmail {
  return google.gmail({ version: 'v1', auth, rootUrl: emu.gmailApiUrl, retry: false });
}

/** Authorization URL → (emulator consents) → redirect with code → token exchange with the verifier. */
export async function connect(emu: Emulator, opts: { loginHint?: string; scope?: string[] } = {}): Promise<Connected> {
  const client = oauthClient(emu);
  const { codeVerifier, codeChallenge } = await client.generateCodeVerifierAsync();
  const state = 'state-' + Math.random().toString(36).slice(2);
  const url = client.generateAuthUrl({
    access_type: 'offline',
    scope: opts.scope ?? [READONLY],
    code_challenge: codeChallenge,
    code_challenge_method: CodeChallengeMethod.S256,
    state,
    login_hint: opts.loginHint,
  });
  const res = await fetch(url, { redirect: 'manual' });
  if (res.status !== 302) throw new Error(`authorization answered ${res.status}`);
  const location = new URL(res.headers.get('location') ?? '');
  if (location.searchParams.get('state') !== state) throw new Error('state not echoed');
  const code = location.searchParams.get('code');
  if (!code) throw new Error(`no code in ${location.toString()}`);
  const { tokens } = await client.getToken({ code, codeVerifier, redirect_uri: REDIRECT_URI });
  client.setCredentials(tokens);
  return { client, tokens, gmail: gmailFor(emu, client) };
}

export type GaxiosLikeError = { code?: number | string; status?: number; response?: { status: number; data: unknown; headers: unknown } };

/** Runs a call that must fail; returns status, reason, message and Retry-After. */
export async function failure(p: Promise<unknown>): Promise<{ status: number; reason?: string; message?: string; retryAfter?: string | null; data: unknown }> {
  try {
    await p;
  } catch (e) {
    const err = e as GaxiosLikeError;
    const data = err.response?.data as { error?: { message?: string; errors?: Array<{ reason?: string }> } } | undefined;
    const h = err.response?.headers as { get?: (k: string) => string | null } | Record<string, string> | undefined;
    const retryAfter = h && typeof (h as { get?: unknown }).get === 'function' ? (h as { get: (k: string) => string | null }).get('retry-after') : ((h as Record<string, string> | undefined)?.['retry-after'] ?? null);
    return { status: err.response?.status ?? Number(err.status ?? err.code), reason: data?.error?.errors?.[0]?.reason, message: data?.error?.message, retryAfter, data };
  }
  throw new Error('expected the call to fail');
}

export type BatchAnswer = { contentId: string; status: number; headers: Record<string, string>; body: unknown };

export function batchBody(boundary: string, targets: string[], ids?: string[]): string {
  return (
    targets
      .map((t, i) => `--${boundary}\r\nContent-Type: application/http\r\nContent-ID: <${ids?.[i] ?? `item${i + 1}`}>\r\n\r\nGET ${t}\r\n\r\n`)
      .join('') + `--${boundary}--\r\n`
  );
}

export function parseBatchResponse(contentType: string, text: string): BatchAnswer[] {
  const m = /boundary=([^;]+)/.exec(contentType);
  if (!m) throw new Error(`no boundary in ${contentType}`);
  const out: BatchAnswer[] = [];
  for (const chunk of text.split('--' + m[1]).slice(1)) {
    if (chunk.startsWith('--')) break;
    const [outer, ...rest] = chunk.replace(/^\r\n/, '').split('\r\n\r\n');
    const inner = rest.join('\r\n\r\n');
    const cid = /Content-ID: <([^>]+)>/i.exec(outer)?.[1] ?? '';
    const headEnd = inner.indexOf('\r\n\r\n');
    const head = inner.slice(0, headEnd).split('\r\n');
    const status = Number(/^HTTP\/1\.1 (\d+)/.exec(head[0] ?? '')?.[1]);
    const headers: Record<string, string> = {};
    for (const line of head.slice(1)) {
      const i = line.indexOf(':');
      if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
    }
    const body = inner.slice(headEnd + 4).replace(/\r\n$/, '');
    out.push({ contentId: cid, status, headers, body: body ? (JSON.parse(body) as unknown) : null });
  }
  return out;
}

export async function sendBatch(emu: Emulator, accessToken: string | undefined, targets: string[]): Promise<{ status: number; answers: BatchAnswer[]; text: string }> {
  const boundary = 'batch_test_boundary';
  const res = await fetch(emu.url + '/batch/gmail/v1', {
    method: 'POST',
    headers: { 'Content-Type': `multipart/mixed; boundary=${boundary}`, ...(accessToken ? { Authorization: `Bearer ${accessToken}` } : {}) },
    body: batchBody(boundary, targets),
  });
  const text = await res.text();
  const ct = res.headers.get('content-type') ?? '';
  return { status: res.status, text, answers: res.status === 200 ? parseBatchResponse(ct, text) : [] };
}
