// The contract itself: both tables match the channel lists the preload exposes, answers are
// stripped to the contract, errors become the typed shape, and the CSPs stay strict.
import { describe, expect, it } from 'vitest';
import { EVENT_CHANNELS, INVOKE_CHANNELS, ipcChannels, ipcEvents, isInvokeChannel } from '../../src/shared/ipc';
import { messageFrameCsp, rendererCsp } from '../../src/shared/csp';
import { toIpcError, InvalidRequestError, RefusedRequestError } from '../../src/main/ipc/errors';
import { OAuthClientRefusedError } from '../../src/shared/oauth-client';
import { DataDirBusyError } from '../../src/main/data-dir-lock';
import { AccountNeedsReconnectError, AccountNotFoundError } from '../../src/main/gmail/account-errors';
import { GmailInvalidGrantError, GmailRateLimitError, QuotaExhaustedError } from '../../src/main/gmail/errors';
import { EndpointUnreachableError } from '../../src/main/gmail/net-errors';
import { OAuthAbortedError, OAuthClientMissingError, OAuthExchangeError, OAuthTimeoutError } from '../../src/main/gmail/oauth';

describe('IPC contract tables', () => {
  it('has exactly the channels and events the preload knows', () => {
    expect(Object.keys(ipcChannels).sort()).toEqual([...INVOKE_CHANNELS].sort());
    expect(Object.keys(ipcEvents).sort()).toEqual([...EVENT_CHANNELS].sort());
    for (const c of INVOKE_CHANNELS) expect(c).toMatch(/^[a-z]+:[a-zA-Z]+$/);
    expect(isInvokeChannel('toString')).toBe(false);
    expect(isInvokeChannel('__proto__')).toBe(false);
  });

  it('strips what a handler did not mean to send (no token rides along)', () => {
    const answer = ipcChannels['accounts:list'].response.parse([
      {
        id: 1,
        email: 'a@example.com',
        status: 'active',
        lastError: null,
        initialSyncCompleted: true,
        lastSyncAt: 1,
        messagesTotal: 3,
        localMessages: 3,
        tokenCipher: 'mm1.secret',
        refreshToken: '1//secret',
      },
    ]);
    expect(JSON.stringify(answer)).not.toContain('secret');
  });

  it('refuses unknown keys in requests', () => {
    expect(ipcChannels['labels:list'].request.safeParse({ accountId: 1, sql: 'DROP' }).success).toBe(false);
    expect(ipcChannels['settings:set'].request.safeParse({ remoteImages: 'always' }).success).toBe(true);
    expect(ipcChannels['settings:set'].request.safeParse({ remoteImages: 'always', dataDir: '/' }).success).toBe(false);
  });

  it('client channels: a status never carries the secret; client:set takes a file or a pair, bounded', () => {
    const status = ipcChannels['client:status'].response.parse({ configured: true, source: 'user', clientId: 'a.apps.googleusercontent.com', clientSecret: 'GOCSPX-secret' });
    expect(JSON.stringify(status)).not.toContain('secret');
    expect(ipcChannels['client:status'].response.safeParse({ configured: true, source: 'somewhere', clientId: 'a' }).success).toBe(false);
    const set = ipcChannels['client:set'].request;
    expect(set.safeParse({ json: '{}', name: 'client_secret.json' }).success).toBe(true);
    expect(set.safeParse({ clientId: 'a', clientSecret: 'b' }).success).toBe(true);
    expect(set.safeParse({}).success).toBe(false);
    expect(set.safeParse({ json: '{}', clientSecret: 'b' }).success).toBe(false);
    const big = set.safeParse({ json: 'x'.repeat(64 * 1024 + 1) });
    expect(big.success).toBe(false);
    // The schema's refusal names the contract's code, so the router answers it as such (not INVALID_REQUEST).
    expect(big.error?.issues[0]).toMatchObject({ code: 'custom', params: { ipcCode: 'CLIENT_INVALID' } });
    expect(set.safeParse({ clientId: 'a'.repeat(2000), clientSecret: 'b' }).success).toBe(false);
  });

  it('accepts only http(s) consent URLs', () => {
    const r = ipcChannels['accounts:connect'].response;
    expect(r.safeParse({ flowId: 'f', authUrl: 'https://accounts.google.com/o/oauth2/v2/auth?x=1' }).success).toBe(true);
    expect(r.safeParse({ flowId: 'f', authUrl: 'javascript:alert(1)' }).success).toBe(false);
    expect(r.safeParse({ flowId: 'f', authUrl: 'file:///etc/passwd' }).success).toBe(false);
  });
});

describe('errors across the boundary', () => {
  it('sends our errors as the contract code they carry, and maps only foreign ones', () => {
    expect(toIpcError(new GmailInvalidGrantError('revoked')).code).toBe('AUTH_EXPIRED');
    expect(toIpcError(new AccountNeedsReconnectError('reconnect')).code).toBe('AUTH_EXPIRED');
    expect(toIpcError(new GmailRateLimitError('slow down', 'rateLimitExceeded', undefined)).code).toBe('RATE_LIMITED');
    expect(toIpcError(new QuotaExhaustedError('daily', undefined)).code).toBe('RATE_LIMITED');
    expect(toIpcError(new EndpointUnreachableError('cannot reach')).code).toBe('OFFLINE');
    expect(toIpcError(new OAuthAbortedError()).code).toBe('CANCELLED');
    expect(toIpcError(new OAuthTimeoutError(1000)).code).toBe('TIMEOUT');
    expect(toIpcError(new AccountNotFoundError('no account 7')).code).toBe('NOT_FOUND');
    // No OAuth client: its own code, which the UI maps to the guided client setup.
    expect(toIpcError(new OAuthClientMissingError()).code).toBe('CLIENT_NOT_CONFIGURED');
    expect(toIpcError(new RefusedRequestError('CLIENT_INVALID', 'not a Desktop app client')).code).toBe('CLIENT_INVALID');
    expect(toIpcError(new OAuthClientRefusedError('web_client', 'a Web application client')).code).toBe('CLIENT_INVALID');
    // Foreign errors: a network failure is OFFLINE; SQLite's through the store's classes (db-damage.test.ts).
    const foreign = (code: string) => Object.assign(new Error('x'), { code });
    expect(toIpcError(foreign('ECONNREFUSED')).code).toBe('OFFLINE');
    // A code string alone is not ours: no table of strings, no `_NOT_FOUND` guess.
    expect(toIpcError(foreign('NOT_FOUND')).code).toBe('INTERNAL');
    expect(toIpcError(foreign('ACCOUNT_NOT_FOUND')).code).toBe('INTERNAL');
    expect(toIpcError(foreign('SOMETHING_ELSE')).code).toBe('INTERNAL');
    expect(toIpcError('a string').code).toBe('INTERNAL');
    expect(toIpcError(new InvalidRequestError('bad', [{ path: 'a', message: 'm' }]))).toEqual({
      code: 'INVALID_REQUEST',
      message: 'bad',
      issues: [{ path: 'a', message: 'm' }],
    });
  });

  it('sends a refused code exchange and a busy data folder as what they are, not INTERNAL', () => {
    // The token endpoint answered and refused the sign-in: the user must connect again.
    expect(toIpcError(new OAuthExchangeError('the token endpoint refused the authorization (invalid_grant)'))).toEqual({
      code: 'AUTH_EXPIRED',
      message: 'the token endpoint refused the authorization (invalid_grant)',
    });
    // Another Mailmirror process owns the data folder: the core is not available to this one.
    expect(toIpcError(new DataDirBusyError('another Mailmirror (pid 42) uses this data folder')).code).toBe('UNAVAILABLE');
  });

  it('keeps one redacted line, never a stack or a token', () => {
    const err = new Error('token refresh failed: Bearer ya29.A0ARrdaM-secret access_token=abc123secret\n    at f (/app/x.js:1:1)');
    const out = toIpcError(err);
    expect(out.message).not.toMatch(/ya29|abc123secret|\n| at f/);
    expect(out.message.length).toBeLessThanOrEqual(400);
    expect(toIpcError(new Error('x'.repeat(5000))).message.length).toBeLessThanOrEqual(400);
  });
});

describe('content security policies', () => {
  it('the renderer runs only its own scripts', () => {
    const csp = rendererCsp({ connectSrc: ['ws://127.0.0.1:1234'] });
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(rendererCsp({ forMeta: true })).not.toContain('frame-ancestors');
  });

  it('a message frame loads remote images only once allowed', () => {
    expect(messageFrameCsp(false)).toContain('img-src data: cid:;');
    expect(messageFrameCsp(false)).not.toMatch(/https?:/);
    expect(messageFrameCsp(true)).toContain('img-src data: cid: https: http:');
    for (const allowed of [true, false]) {
      expect(messageFrameCsp(allowed)).toContain("default-src 'none'");
      expect(messageFrameCsp(allowed)).not.toContain('script-src');
    }
  });
});
