// The browser host as an attacker on the same machine (or a web page in the user's browser)
// would meet it: no token, a foreign Origin, another interface, a traversal path — all refused;
// with a session traded for the printed link, the contract over the WebSocket works.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
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
  h = await createHarness();
  seeded = await seedMailbox(h, { count: 20 });
  router = createRouter(h.services, { throttleMs: { 'labels:changed': 50 } });
  staticDir = mkdtempSync(join(tmpdir(), 'mm-static-'));
  mkdirSync(join(staticDir, 'assets'));
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Mailmirror</title><script type="module" src="./assets/app.js"></script>');
  writeFileSync(join(staticDir, 'assets', 'app.js'), 'console.log("app")');
  writeFileSync(join(staticDir, '..', `secret-${process.pid}.txt`), 'outside the renderer');
  // A mounted tool like Bull Board: a public page, an API behind the session.
  const tool = { prefix: '/tool/', handler: (req: IncomingMessage, res: ServerResponse) => res.end(`tool ${req.url}`), needsSession: (p: string) => p.startsWith('/tool/api') };
  host = await startBrowserHost({ router, staticDir, port: 0, mounts: [tool] });
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

/** A raw HTTP POST of JSON (Origin and Content-Type as given). */
function post(path: string, body: string, headers: Record<string, string> = {}): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1', port: host.port, path, method: 'POST',
        headers: { Host: `127.0.0.1:${host.port}`, Origin: host.origin, 'Content-Type': 'application/json', ...headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const linkToken = (url: string) => new URL(url).searchParams.get('token')!;

/** What the page does with the printed link: trade its one-time token for a session. */
async function sessionFor(url: string): Promise<string> {
  const r = await post('/session', JSON.stringify({ token: linkToken(url) }));
  expect(r.status).toBe(200);
  return (JSON.parse(r.body) as { session: string }).session;
}

let session: string;
beforeAll(async () => {
  session = await sessionFor(host.newLink());
});

function directives(csp: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const part of csp.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) m.set(name, values);
  }
  return m;
}

type Ws = { ws: WebSocket; messages: WsServerMessage[]; next: (pred: (m: WsServerMessage) => boolean) => Promise<WsServerMessage> };

function openWs(opts: { origin?: string; session?: string | null; protocols?: string[]; query?: string; path?: string }): Promise<Ws> {
  const protocols = opts.protocols ?? (opts.session === null ? ['mailmirror'] : ['mailmirror', `mailmirror.session.${opts.session ?? session}`]);
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}${opts.path ?? '/ipc'}${opts.query ?? ''}`, protocols, {
    origin: opts.origin ?? host.origin,
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
  it('serves the renderer’s files (no data in them) and never sets a cookie', async () => {
    for (const path of ['/', '/index.html', '/assets/app.js']) {
      const r = await get(path);
      expect(r.status, path).toBe(200);
      expect(r.headers['set-cookie'], path).toBeUndefined();
    }
    const page = await get(`/?token=${linkToken(host.newLink())}`);
    expect(page.headers['set-cookie']).toBeUndefined();
    expect(page.headers['cache-control']).toBe('no-store');
    expect((await get('/assets/app.js')).headers['content-type']).toMatch(/^text\/javascript/);
  });

  it('trades a printed link’s token for a session once; the used link is worth nothing', async () => {
    const url = host.newLink();
    expect(url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${host.port}/\\?token=[\\w-]{40,}$`));
    expect(host.url).not.toBe(url);
    const first = await post('/session', JSON.stringify({ token: linkToken(url) }));
    expect(first.status).toBe(200);
    expect(first.headers['set-cookie']).toBeUndefined();
    expect(first.headers['cache-control']).toBe('no-store');
    const s = (JSON.parse(first.body) as { session: string }).session;
    expect(s.length).toBeGreaterThanOrEqual(40);
    expect(s).not.toBe(linkToken(url));
    const again = await post('/session', JSON.stringify({ token: linkToken(url) }));
    expect(again.status).toBe(403);
    expect(again.body).toMatch(/used already/);
    // A page that kept its session checks it on load; a made-up one is refused.
    expect((await post('/session', JSON.stringify({ session: s }))).status).toBe(200);
    expect((await post('/session', JSON.stringify({ session: 'x'.repeat(s.length) }))).status).toBe(403);
    expect((await post('/session', JSON.stringify({ session: linkToken(url) }))).status).toBe(403);
    // The used token opens no WebSocket either.
    await expect(openWs({ session: linkToken(url) })).rejects.toThrow(/403/);
  });

  it('trades only for its own origin, only JSON, only small bodies', async () => {
    const token = linkToken(host.newLink());
    const body = JSON.stringify({ token });
    expect((await post('/session', body, { Origin: 'http://127.0.0.1:1' })).status).toBe(403);
    expect((await post('/session', body, { Origin: 'null' })).status).toBe(403);
    expect((await post('/session', body, { 'Content-Type': 'text/plain' })).status).toBe(415);
    expect((await post('/session', body, { Host: 'evil.example' })).status).toBe(403);
    expect((await post('/session', 'not json')).status).toBe(400);
    expect((await post('/session', JSON.stringify({ token, pad: 'x'.repeat(5000) })).catch(() => ({ status: 0 }))).status).not.toBe(200);
    expect((await get('/session')).status).toBe(405);
    // None of that spent the token.
    expect((await post('/session', body)).status).toBe(200);
  });

  it('mounted tools: their page is public, their API answers only with the session header', async () => {
    expect((await get('/tool/')).body).toBe('tool /tool/');
    expect((await get('/tool/api/queues')).status).toBe(403);
    expect((await get('/tool/api/queues', { 'X-Mailmirror-Session': 'wrong' })).status).toBe(403);
    expect((await get('/tool/api/queues', { Cookie: `mailmirror_${host.port}=${session}` })).status).toBe(403);
    const ok = await get('/tool/api/queues', { 'X-Mailmirror-Session': session });
    expect(ok.status).toBe(200);
    expect(ok.body).toBe('tool /tool/api/queues');
  });

  it('answers only for its own Host (no DNS rebinding)', async () => {
    for (const hostHeader of [`localhost:${host.port}`, 'evil.example', `evil.example:${host.port}`]) {
      const r = await get('/', { Host: hostHeader });
      expect(r.status).toBe(403);
    }
  });

  it('never serves a file outside the renderer folder', async () => {
    for (const path of [`/../secret-${process.pid}.txt`, `/%2e%2e/secret-${process.pid}.txt`, `/assets/%2e%2e%2f..%2fsecret-${process.pid}.txt`, '/%00']) {
      const r = await get(path);
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
    const r = await get('/');
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
  it('refuses upgrades from a foreign Origin, without an Origin, or without a live session', async () => {
    await expect(openWs({ origin: 'http://evil.example' })).rejects.toThrow(/403/);
    await expect(openWs({ origin: `http://localhost:${host.port}` })).rejects.toThrow(/403/);
    await expect(openWs({ origin: `http://127.0.0.1:${host.port + 1}` })).rejects.toThrow(/403/);
    await expect(openWs({ origin: 'null' })).rejects.toThrow(/403/);
    await expect(openWs({ session: null })).rejects.toThrow(/403/);
    await expect(openWs({ session: 'wrong' })).rejects.toThrow(/403/);
    // The old ways in are closed: a token or session in the query string, a cookie.
    await expect(openWs({ session: null, query: `?token=${session}` })).rejects.toThrow(/403/);
    await expect(openWs({ path: '/other' })).rejects.toThrow(/404/);
  });

  it('speaks the contract with the session as a subprotocol (answered with the plain one), and pushes events', async () => {
    const c = await openWs({});
    try {
      expect(c.ws.protocol).toBe('mailmirror');
      c.ws.send(JSON.stringify({ type: 'invoke', id: 1, channel: 'labels:list', request: { accountId: seeded.accountId } }));
      const res = await c.next((m) => m.type === 'result' && m.id === 1);
      expect(res.type === 'result' && res.result.ok).toBe(true);
      if (res.type === 'result' && res.result.ok) {
        expect((res.result.value as { id: string }[]).some((l) => l.id === 'INBOX')).toBe(true);
      }
      h.emit('labels:changed', { accountId: seeded.accountId });
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
