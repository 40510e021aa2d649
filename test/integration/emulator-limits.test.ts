// Gmail's limits as the emulator enforces them, through the real googleapis client: per-user quota
// under both profiles (scaled), the concurrency cap, seeded fault injection, stats, the control API
// and the standalone CLI.
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index';
import { runEmulatorCli } from '../../src/emulator/standalone';
import { connect, failure, sendBatch, type Connected } from './emulator-helpers';

const ACCOUNT = 'quota@example.com';
let emu: Emulator;
let me: Connected;
let ids: string[];

beforeAll(async () => {
  emu = await startEmulator({ seed: 3 });
  emu.addAccount(ACCOUNT, { messages: 150, seed: 5 });
  me = await connect(emu);
  ids = emu.account(ACCOUNT).messageIds();
});

afterAll(async () => {
  await emu?.close();
});

const RETRY_MESSAGE = /^User-rate limit exceeded\. {2}Retry after \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe('per-user quota', () => {
  it('2026 profile: messages.get costs 20 of the budget, then 429 rateLimitExceeded with Retry-After', async () => {
    // 6,000 units/min × 0.01 = 60 units: three messages.get, then nothing (not even 1 unit). The minute alone here
    // (windowMs 0); the per-second window has its own test below.
    emu.setQuota({ profile: '2026', scale: 0.01, errorStyle: '429', windowMs: 0 });
    emu.resetStats();
    for (let i = 0; i < 3; i++) await me.gmail.users.messages.get({ userId: 'me', id: ids[i] });
    const over = await failure(me.gmail.users.messages.get({ userId: 'me', id: ids[3] }));
    expect(over.status).toBe(429);
    expect(over.reason).toBe('rateLimitExceeded');
    expect(over.message).toMatch(RETRY_MESSAGE);
    expect(Number(over.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(over.retryAfter)).toBeLessThanOrEqual(60);
    expect((await failure(me.gmail.users.getProfile({ userId: 'me' }))).status).toBe(429);
    const s = emu.stats();
    expect(s.unitsCharged).toBe(60);
    expect(s.quota429).toBe(2);
    expect(s.sent429).toBe(2);
    expect(s.requests['messages.get']).toBe(4);
    // The timeline of charges (what the bench reads against the budget) holds the charged units, not the refused.
    expect(s.charges.tickMs).toBe(100);
    expect(s.charges.units.reduce((a, b) => a + b, 0)).toBe(60);
    expect(s.charges.since).toBeLessThanOrEqual(Date.now());
  });

  it('legacy profile: messages.get costs 5; 403 style sends userRateLimitExceeded', async () => {
    // 15,000 × 0.002 = 30 units: six messages.get.
    emu.setQuota({ profile: 'legacy', scale: 0.002, errorStyle: '403', windowMs: 0 });
    emu.resetStats();
    for (let i = 0; i < 6; i++) await me.gmail.users.messages.get({ userId: 'me', id: ids[i] });
    const over = await failure(me.gmail.users.messages.get({ userId: 'me', id: ids[6] }));
    expect(over.status).toBe(403);
    expect(over.reason).toBe('userRateLimitExceeded');
    expect(over.message).toMatch(RETRY_MESSAGE);
    expect(Number(over.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(emu.stats()).toMatchObject({ unitsCharged: 30, quota403: 1, sent403: 1 });
  });

  it('charges each batch part separately; parts over budget fail alone', async () => {
    emu.setQuota({ profile: '2026', scale: 0.01, windowMs: 0 });
    emu.resetStats();
    const { status, answers } = await sendBatch(emu, me.client.credentials.access_token ?? '', ids.slice(10, 15).map((id) => `/gmail/v1/users/me/messages/${id}`));
    expect(status).toBe(200);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429, 429]);
    expect(answers[3].headers['retry-after']).toMatch(/^\d+$/);
    expect(emu.stats()).toMatchObject({ batchRequests: 1, batchParts: 5, unitsCharged: 60 });
  });

  it('holds the per-second moving window too: a second’s budget, then 429 until that second has passed', async () => {
    // 6,000 × 0.6 = 3,600 units a minute, so 60 in any second: three messages.get, then a 429 that says 1 s.
    emu.setQuota({ profile: '2026', scale: 0.6 });
    emu.resetStats();
    const t0 = Date.now();
    for (let i = 0; i < 3; i++) await me.gmail.users.messages.get({ userId: 'me', id: ids[20 + i] });
    const over = await failure(me.gmail.users.messages.get({ userId: 'me', id: ids[23] }));
    expect(over.status).toBe(429);
    expect(Number(over.retryAfter)).toBe(1);
    // A second after the first call, the minute's budget (3,600) is far from spent: it goes through again.
    await new Promise((r) => setTimeout(r, Math.max(0, t0 + 1050 - Date.now())));
    await me.gmail.users.messages.get({ userId: 'me', id: ids[23] });
    expect(emu.stats()).toMatchObject({ unitsCharged: 80, quota429: 1 });
    emu.setQuota(undefined);
  });

  it('refuses more than maxConcurrent in-flight requests per user with "Too many concurrent requests for user."', async () => {
    emu.setQuota({ profile: '2026', scale: 0, maxConcurrent: 2 });
    emu.setLatency({ min: 300, max: 300 });
    emu.resetStats();
    try {
      const results = await Promise.allSettled(Array.from({ length: 6 }, () => me.gmail.users.getProfile({ userId: 'me' })));
      const ok = results.filter((r) => r.status === 'fulfilled').length;
      const refused = await Promise.all(results.filter((r) => r.status === 'rejected').map((r) => failure(Promise.reject((r as PromiseRejectedResult).reason))));
      expect(ok).toBeGreaterThanOrEqual(1);
      expect(ok).toBeLessThanOrEqual(2);
      expect(refused.length).toBe(6 - ok);
      for (const f of refused) {
        expect(f.status).toBe(429);
        expect(f.message).toBe('Too many concurrent requests for user.');
        expect(f.reason).toBe('rateLimitExceeded');
      }
      expect(emu.stats().concurrency429).toBe(refused.length);
    } finally {
      emu.setLatency(undefined);
      emu.setQuota(undefined);
    }
  });
});

describe('token lifetime', () => {
  it('an expired access token gets 401; google-auth-library refreshes and carries on', async () => {
    const short = await startEmulator({ accessTokenTtlSec: 1 });
    try {
      short.addAccount('ttl@example.com', { messages: 5 });
      const c = await connect(short);
      const old = c.tokens.access_token ?? '';
      await new Promise((r) => setTimeout(r, 1200));
      const res = await fetch(`${short.gmailApiUrl}gmail/v1/users/me/profile`, { headers: { Authorization: `Bearer ${old}` } });
      expect(res.status).toBe(401);
      expect((await c.gmail.users.getProfile({ userId: 'me' })).data.emailAddress).toBe('ttl@example.com');
      expect(c.client.credentials.access_token).not.toBe(old);
      expect(short.stats().oauth.refreshes).toBeGreaterThanOrEqual(1);
    } finally {
      await short.close();
    }
  });
});

describe('fault injection', () => {
  async function statuses(n: number): Promise<Array<number | string>> {
    const out: Array<number | string> = [];
    for (let i = 0; i < n; i++) {
      try {
        await me.gmail.users.getProfile({ userId: 'me' });
        out.push(200);
      } catch (e) {
        const f = await failure(Promise.reject(e));
        out.push(Number.isFinite(f.status) ? f.status : 'reset');
      }
    }
    return out;
  }

  it('is a deterministic sequence per seed, with Google’s bodies for 500, 503 and 429', async () => {
    emu.setFaults({ rate: 0.4, seed: 11, kinds: ['500', '503', '429'] });
    emu.resetStats();
    const a = await statuses(40);
    emu.setFaults({ rate: 0.4, seed: 11, kinds: ['500', '503', '429'] });
    const b = await statuses(40);
    expect(b).toEqual(a);
    expect(new Set(a)).toEqual(new Set([200, 500, 503, 429]));
    emu.setFaults({ rate: 0.4, seed: 12, kinds: ['500', '503', '429'] });
    const c = await statuses(40);
    expect(c).not.toEqual(a);
    const s = emu.stats();
    const failed = (xs: Array<number | string>): number => xs.filter((x) => x !== 200).length;
    expect(s.faults['500'] + s.faults['503'] + s.faults['429']).toBe(failed(a) * 2 + failed(c));

    emu.setFaults({ rate: 1, seed: 1, kinds: ['500'] });
    const e500 = await failure(me.gmail.users.getProfile({ userId: 'me' }));
    expect(e500).toMatchObject({ status: 500, reason: 'backendError' });
    emu.setFaults({ rate: 1, seed: 1, kinds: ['429'] });
    const e429 = await failure(me.gmail.users.getProfile({ userId: 'me' }));
    expect(e429.status).toBe(429);
    expect(Number(e429.retryAfter)).toBeGreaterThanOrEqual(1);
    emu.setFaults(undefined);
  });

  it('resets sockets and delays slow answers', async () => {
    emu.setFaults({ rate: 1, seed: 2, kinds: ['reset'] });
    const reset = await me.gmail.users.getProfile({ userId: 'me' }).then(
      () => 'answered',
      (e: { response?: unknown }) => (e.response ? 'http error' : 'network error'),
    );
    expect(reset).toBe('network error');
    emu.setFaults({ rate: 1, seed: 2, kinds: ['slow'], slowMs: 200 });
    emu.resetStats();
    const p = await me.gmail.users.getProfile({ userId: 'me' });
    expect(p.status).toBe(200);
    expect(emu.stats().faults.slow).toBe(1);
    emu.setFaults(undefined);
    expect((await me.gmail.users.getProfile({ userId: 'me' })).status).toBe(200);
  });
});

describe('stats', () => {
  it('counts detail fetches per message (full/raw gets and full threads.get), not minimal or metadata', async () => {
    emu.resetStats();
    const box = emu.account(ACCOUNT);
    const gt = box.groundTruth();
    const thread = gt.messages.filter((m) => m.threadId === gt.messages.find((x) => gt.messages.filter((y) => y.threadId === x.threadId).length >= 2)?.threadId);
    const a = thread[0].id;
    await me.gmail.users.messages.get({ userId: 'me', id: a, format: 'full' });
    await me.gmail.users.messages.get({ userId: 'me', id: a, format: 'raw' });
    await me.gmail.users.messages.get({ userId: 'me', id: a, format: 'metadata' });
    await me.gmail.users.messages.get({ userId: 'me', id: a, format: 'minimal' });
    await me.gmail.users.threads.get({ userId: 'me', id: thread[0].threadId });
    await me.gmail.users.threads.get({ userId: 'me', id: thread[0].threadId, format: 'metadata' });
    const s = emu.stats();
    expect(s.detailFetches[a]).toBe(3);
    for (const m of thread.slice(1)) expect(s.detailFetches[m.id]).toBe(1);
    expect(s.maxDetailFetches).toBe(3);
    expect(s.requests['threads.get']).toBe(2);
    expect(s.unitsCharged).toBe(4 * 20 + 2 * 40);
  });
});

describe('control API', () => {
  it('changes mailboxes and reads ground truth over HTTP', async () => {
    const c = `${emu.url}/__emulator`;
    const info = (await (await fetch(`${c}/info`)).json()) as { gmailApiUrl: string; clientId: string; accounts: string[] };
    expect(info).toMatchObject({ gmailApiUrl: emu.gmailApiUrl, clientId: emu.clientId, accounts: [ACCOUNT] });
    const post = (path: string, body: unknown, method = 'POST'): Promise<Response> =>
      fetch(`${c}/${path}`, { method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    await post('accounts', { email: 'second@example.com', spec: { messages: 10, seed: 1 } });
    const added = (await (await post(`accounts/${encodeURIComponent(ACCOUNT)}/messages`, { subject: 'Über the control API', labelIds: ['INBOX'] })).json()) as { id: string };
    const label = (await (await post(`accounts/${ACCOUNT}/labels`, { name: 'Controlled' })).json()) as { id: string };
    await post(`accounts/${ACCOUNT}/messages/${added.id}/labels`, { add: [label.id], remove: [] });
    await post(`accounts/${ACCOUNT}/mutations`, { n: 20, seed: 3 });
    const gt = (await (await fetch(`${c}/accounts/${ACCOUNT}/ground-truth`)).json()) as { messages: Array<{ id: string; subject: string; labelIds: string[] }> };
    expect(gt).toEqual(emu.account(ACCOUNT).groundTruth());
    const mine = gt.messages.find((m) => m.id === added.id);
    if (mine) expect(mine.subject).toBe('Über the control API');
    expect((await fetch(`${c}/accounts/nobody@example.com/ground-truth`)).status).toBe(404);
    expect((await post(`accounts/${ACCOUNT}/messages/ffffffffffffffff/labels`, { add: ['INBOX'] })).status).toBe(404);
    const stats = (await (await fetch(`${c}/stats`)).json()) as { totalRequests: number };
    expect(stats.totalRequests).toBe(emu.stats().totalRequests);
    expect((await post('quota', { profile: 'legacy', scale: 0.001 }, 'PUT')).status).toBe(200);
    expect((await post('quota', null, 'PUT')).status).toBe(200);
    expect((await me.gmail.users.getProfile({ userId: 'me' })).status).toBe(200);
  });

  it('answers only its own address, refuses other origins and writes that are not JSON', async () => {
    const port = new URL(emu.url).port;
    /** A raw request, so Host and Origin are exactly as a rebinding or cross-site page would send them. */
    const raw = (method: string, path: string, headers: Record<string, string>, body = ''): Promise<{ status: number; body: string }> =>
      new Promise((resolve, reject) => {
        const r = httpRequest({ host: '127.0.0.1', port, method, path: `/__emulator/${path}`, headers: { 'Content-Length': Buffer.byteLength(body), ...headers } }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        });
        r.on('error', reject);
        r.end(body);
      });
    const own = `127.0.0.1:${port}`;
    const accounts = async (): Promise<string[]> => (JSON.parse((await raw('GET', 'accounts', { Host: own })).body) as Array<{ email: string }>).map((a) => a.email);
    const before = await accounts();
    const json = { 'Content-Type': 'application/json' };
    const add = JSON.stringify({ email: 'csrf@example.com', spec: { messages: 1 } });

    // DNS rebinding: a page of evil.example resolved to 127.0.0.1 sends its own name as Host.
    const rebound = await raw('GET', 'info', { Host: `evil.example:${port}` });
    expect(rebound.status).toBe(403);
    expect(rebound.body).not.toContain(emu.clientSecret);
    expect((await raw('POST', 'accounts', { Host: `evil.example:${port}`, ...json }, add)).status).toBe(403);
    expect((await raw('GET', 'info', { Host: `127.0.0.1:${Number(port) + 1}` })).status).toBe(403);
    // A cross-site form or fetch: text/plain needs no preflight; any foreign Origin is refused.
    expect((await raw('POST', 'accounts', { Host: own, Origin: 'https://evil.example', 'Content-Type': 'text/plain' }, add)).status).toBe(403);
    expect((await raw('POST', 'accounts', { Host: own, Origin: 'https://evil.example', ...json }, add)).status).toBe(403);
    expect((await raw('POST', 'accounts', { Host: own, Origin: 'null', ...json }, add)).status).toBe(403);
    expect((await raw('GET', 'info', { Host: own, Origin: 'http://localhost:1' })).status).toBe(403);
    // Writes must say they are JSON, even without an Origin (and even without a body).
    for (const type of [undefined, 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const r = await raw('POST', 'accounts', { Host: own, ...(type ? { 'Content-Type': type } : {}) }, add);
      expect(r.status, String(type)).toBe(415);
      expect(r.body).toContain('application/json');
    }
    expect((await raw('POST', 'stats/reset', { Host: own })).status).toBe(415);
    expect((await raw('DELETE', `accounts/${ACCOUNT}/labels/Label_1`, { Host: own })).status).toBe(415);
    expect(await accounts()).toEqual(before);
    expect(before).not.toContain('csrf@example.com');

    // Its own address, by IP or as localhost, same-origin or no Origin at all: served.
    expect((await raw('GET', 'info', { Host: own })).status).toBe(200);
    expect((await raw('GET', 'info', { Host: `localhost:${port}`, Origin: `http://localhost:${port}` })).status).toBe(200);
    expect((await raw('POST', 'stats/reset', { Host: own, Origin: `http://${own}`, 'Content-Type': 'application/json; charset=utf-8' })).status).toBe(200);
  });
});

describe('standalone CLI', () => {
  it('prints the url and credentials, serves until stopped, and rejects bad arguments', async () => {
    const out: string[] = [];
    const ac = new AbortController();
    const run = runEmulatorCli(['--port', '0', '--messages', '30', '--account', 'cli@example.com', '--quota-profile', 'legacy', '--quota-scale', '2', '--latency', '0-1', '--fault-rate', '0', '--seed', '4'], {
      stdout: (s) => out.push(s),
      stderr: (s) => out.push(s),
      signal: ac.signal,
    });
    for (let i = 0; i < 100 && !out.join('').includes('account:'); i++) await new Promise((r) => setTimeout(r, 20));
    const text = out.join('');
    const url = /^Gmail emulator at (http:\/\/127\.0\.0\.1:\d+)$/m.exec(text)?.[1];
    expect(url).toBeTruthy();
    expect(text).toContain('client id: mailmirror-emulator');
    expect(text).toContain('client secret: emulator-secret');
    const info = (await (await fetch(`${url}/__emulator/info`)).json()) as { accounts: string[] };
    expect(info.accounts).toEqual(['cli@example.com']);
    ac.abort();
    expect(await run).toBe(0);
    const errs: string[] = [];
    expect(await runEmulatorCli(['--latency', 'fast'], { stderr: (s) => errs.push(s) })).toBe(2);
    expect(errs.join('')).toContain('--latency');
  });
});
