// The browser host as an attacker on the same machine (or a web page in the user's browser)
// would meet it: no token, a foreign Origin, another interface, a traversal path — all refused;
// with the token, the renderer and the contract over the WebSocket work.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startBrowserHost, type BrowserHost } from '../../src/main/host/browser-host';
import { createRouter, type IpcRouter } from '../../src/main/ipc/router';
import type { WsServerMessage } from '../../src/shared/ipc-wire';
import { INVOKE_CHANNELS } from '../../src/shared/ipc';
import { createHarness, seedMailbox, type Harness, type Seeded } from '../helpers/ipc-harness';

let h: Harness;
let router: IpcRouter;
let host: BrowserHost;
let staticDir: string;
let seeded: Seeded;

beforeAll(async () => {
  h = await createHarness({ file: true });
  seeded = seedMailbox(h.db, { count: 20 });
  router = createRouter(h.services, { throttleMs: { 'labels:changed': 50 } });
  staticDir = mkdtempSync(join(tmpdir(), 'mm-static-'));
  mkdirSync(join(staticDir, 'assets'));
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Mailmirror</title><script type="module" src="./assets/app.js"></script>');
  writeFileSync(join(staticDir, 'assets', 'app.js'), 'console.log("app")');
  writeFileSync(join(staticDir, '..', `secret-${process.pid}.txt`), 'outside the renderer');
  host = await startBrowserHost({ router, staticDir, port: 0 });
});

afterAll(async () => {
  await host.close();
  router.close();
  await h.close();
  rmSync(join(staticDir, '..', `secret-${process.pid}.txt`), { force: true });
  rmSync(staticDir, { recursive: true, force: true });
});

type Res = { status: number; headers: Record<string, string | string[] | undefined>; body: string };

/** A raw HTTP GET (fetch would not let us set Host). */
function get(path: string, headers: Record<string, string> = {}): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port: host.port, path, method: 'GET', headers: { Host: `127.0.0.1:${host.port}`, ...headers } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function cookieFrom(res: Res): string {
  const set = res.headers['set-cookie'];
  const first = Array.isArray(set) ? set[0] : set;
  if (!first) throw new Error('no cookie set');
  return first.split(';')[0];
}

function directives(csp: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const part of csp.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) m.set(name, values);
  }
  return m;
}

type Ws = { ws: WebSocket; messages: WsServerMessage[]; next: (pred: (m: WsServerMessage) => boolean) => Promise<WsServerMessage> };

function openWs(opts: { origin?: string; token?: string | null; cookie?: string; path?: string }): Promise<Ws> {
  const q = opts.token === null ? '' : `?token=${opts.token ?? host.token}`;
  const headers: Record<string, string> = {};
  if (opts.cookie) headers.Cookie = opts.cookie;
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}${opts.path ?? '/ipc'}${q}`, {
    origin: opts.origin ?? host.origin,
    headers,
  });
  const messages: WsServerMessage[] = [];
  const waiters: { pred: (m: WsServerMessage) => boolean; resolve: (m: WsServerMessage) => void }[] = [];
  ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as WsServerMessage;
    messages.push(m);
    for (const w of [...waiters]) {
      if (w.pred(m)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  const next = (pred: (m: WsServerMessage) => boolean) =>
    new Promise<WsServerMessage>((resolve) => {
      const found = messages.find(pred);
      if (found) resolve(found);
      else waiters.push({ pred, resolve });
    });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, messages, next }));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused: ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

describe('browser host: access', () => {
  it('refuses every request without the token (403)', async () => {
    for (const path of ['/', '/index.html', '/assets/app.js', '/ipc', '/nothing']) {
      const r = await get(path);
      expect(r.status).toBe(403);
      expect(r.body).not.toContain('<script');
    }
    expect((await get(`/?token=${'x'.repeat(host.token.length)}`)).status).toBe(403);
    expect((await get('/?token=')).status).toBe(403);
    expect((await get('/', { Cookie: `mailmirror_${host.port}=wrong` })).status).toBe(403);
  });

  it('serves the renderer with the token, then by its HttpOnly SameSite=Strict cookie', async () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/?token=${host.token}`);
    expect(host.token.length).toBeGreaterThanOrEqual(40);
    const first = await get(`/?token=${host.token}`);
    expect(first.status).toBe(200);
    expect(first.body).toContain('<title>Mailmirror</title>');
    const set = String(first.headers['set-cookie']);
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Strict/);
    expect(set).toMatch(new RegExp(`^mailmirror_${host.port}=`));
    expect(first.headers['cache-control']).toBe('no-store');
    const cookie = cookieFrom(first);
    const again = await get('/', { Cookie: cookie });
    expect(again.status).toBe(200);
    const asset = await get('/assets/app.js', { Cookie: cookie });
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toMatch(/^text\/javascript/);
  });

  it('answers only for its own Host (no DNS rebinding)', async () => {
    for (const hostHeader of [`localhost:${host.port}`, 'evil.example', `evil.example:${host.port}`]) {
      const r = await get(`/?token=${host.token}`, { Host: hostHeader });
      expect(r.status).toBe(403);
    }
  });

  it('never serves a file outside the renderer folder', async () => {
    for (const path of [`/../secret-${process.pid}.txt`, `/%2e%2e/secret-${process.pid}.txt`, `/assets/%2e%2e%2f..%2fsecret-${process.pid}.txt`, '/%00']) {
      const r = await get(`${path}${path.includes('?') ? '&' : '?'}token=${host.token}`);
      expect([400, 404]).toContain(r.status);
      expect(r.body).not.toContain('outside the renderer');
    }
  });

  it('listens on 127.0.0.1 only', async () => {
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((i) => i && !i.internal)
      .map((i) => i!.address);
    const refused = (address: string) =>
      new Promise<boolean>((resolve) => {
        const s = connect({ host: address, port: host.port });
        s.once('connect', () => {
          s.destroy();
          resolve(false);
        });
        s.once('error', () => resolve(true));
      });
    for (const address of [...others, '::1']) expect(await refused(address)).toBe(true);
    expect(await refused('127.0.0.1')).toBe(false);
  });

  it('sends a strict CSP and hardening headers', async () => {
    const r = await get(`/?token=${host.token}`);
    const csp = String(r.headers['content-security-policy']);
    const d = directives(csp);
    expect(d.get('default-src')).toEqual(["'none'"]);
    expect(d.get('script-src')).toEqual(["'self'"]);
    expect(d.get('object-src')).toEqual(["'none'"]);
    expect(d.get('base-uri')).toEqual(["'none'"]);
    expect(d.get('form-action')).toEqual(["'none'"]);
    expect(d.get('frame-ancestors')).toEqual(["'none'"]);
    expect(d.get('connect-src')).toEqual(["'self'", `ws://127.0.0.1:${host.port}`]);
    expect(csp).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline|\*/);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['x-frame-options']).toBe('DENY');
    expect(r.headers['referrer-policy']).toBe('no-referrer');
  });
});

describe('browser host: WebSocket', () => {
  it('refuses upgrades from a foreign Origin, without an Origin, or without the token', async () => {
    await expect(openWs({ origin: 'http://evil.example' })).rejects.toThrow(/403/);
    await expect(openWs({ origin: `http://localhost:${host.port}` })).rejects.toThrow(/403/);
    await expect(openWs({ origin: 'null' })).rejects.toThrow(/403/);
    await expect(openWs({ token: null })).rejects.toThrow(/403/);
    await expect(openWs({ token: 'wrong' })).rejects.toThrow(/403/);
    await expect(openWs({ path: '/other' })).rejects.toThrow(/404/);
  });

  it('speaks the contract with the cookie alone, and pushes events', async () => {
    const page = await get(`/?token=${host.token}`);
    const c = await openWs({ token: null, cookie: cookieFrom(page) });
    try {
      c.ws.send(JSON.stringify({ type: 'invoke', id: 1, channel: 'labels:list', request: { accountId: seeded.accountId } }));
      const res = await c.next((m) => m.type === 'result' && m.id === 1);
      expect(res.type === 'result' && res.result.ok).toBe(true);
      if (res.type === 'result' && res.result.ok) {
        expect((res.result.value as { id: string }[]).some((l) => l.id === 'INBOX')).toBe(true);
      }
      h.services.emit('labels:changed', { accountId: seeded.accountId });
      const ev = await c.next((m) => m.type === 'event');
      expect(ev).toEqual({ type: 'event', name: 'labels:changed', payload: { accountId: seeded.accountId } });
    } finally {
      c.ws.close();
    }
  });

  it('answers malformed frames and invalid payloads on every channel with INVALID_REQUEST', async () => {
    const c = await openWs({});
    try {
      c.ws.send('not json');
      const pe = await c.next((m) => m.type === 'protocol-error');
      expect(pe.type === 'protocol-error' && pe.error.code).toBe('INVALID_REQUEST');
      c.ws.send(JSON.stringify({ type: 'invoke', id: 2, channel: 'labels:list' , request: {}, extra: 1 }));
      const r2 = await c.next((m) => m.type === 'result' && m.id === 2);
      expect(r2.type === 'result' && !r2.result.ok && r2.result.error.code).toBe('INVALID_REQUEST');
      c.ws.send(JSON.stringify({ type: 'invoke', id: 3, channel: 'no:such', request: {} }));
      const r3 = await c.next((m) => m.type === 'result' && m.id === 3);
      expect(r3.type === 'result' && !r3.result.ok && r3.result.error.code).toBe('INVALID_REQUEST');
      let id = 100;
      for (const channel of INVOKE_CHANNELS) {
        for (const bad of ['x', 7, null, [], { junk: true }]) {
          const myId = id++;
          c.ws.send(JSON.stringify({ type: 'invoke', id: myId, channel, request: bad }));
          const r = await c.next((m) => m.type === 'result' && m.id === myId);
          expect(r.type === 'result' && !r.result.ok && r.result.error.code, `${channel} ${JSON.stringify(bad)}`).toBe('INVALID_REQUEST');
        }
      }
      // A frame above the size limit closes the socket instead of being buffered.
      const closed = new Promise<number>((resolve) => c.ws.once('close', (code) => resolve(code)));
      c.ws.send(JSON.stringify({ type: 'invoke', id: 9, channel: 'messages:search', request: { accountId: 1, query: 'x'.repeat(2_000_000) } }));
      expect(await closed).toBe(1009);
    } finally {
      c.ws.close();
    }
  });
});
