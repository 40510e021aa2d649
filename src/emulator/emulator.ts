/**
 * The emulator's HTTP server: Gmail API (plain and batch), OAuth endpoints and the /__emulator/
 * control API, with per-user quota, concurrency limit, latency and seeded fault injection in front
 * of every Gmail call.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { type GmailMethod } from '../shared/gmail-quota';
import { Rng } from './rng';
import { type ApiResponse, backendError, badRequest, googleError, insufficientScope, notFound, tooManyConcurrent, unauthorized, unavailable, userRateLimit } from './errors';
import { GmailApi, type GmailRoute, routeGmail } from './gmail-api';
import { MailboxImpl } from './mailbox';
import { OAuthServer, type OAuthStats, type Principal, parseBody } from './oauth';
import { QuotaManager } from './quota';
import { RenderCache } from './render-cache';
import { MAX_BATCH_PARTS, batchBoundary, formatBatch, parseBatch } from './batch';
import { applyFields } from './fields';
import { handleControl } from './control-api';
import type { Emulator, EmulatorOptions, EmulatorStats, FaultKind, FaultOptions, LatencyOptions, Mailbox, MailboxSpec, QuotaOptions, StatMethod } from './types';

// Shaped like Google's (…apps.googleusercontent.com) so a client JSON built from it passes the app's checks.
const DEFAULT_CLIENT_ID = 'mailmirror-emulator.apps.googleusercontent.com';
const DEFAULT_CLIENT_SECRET = 'emulator-secret';

/** Resolution of the stats' timeline of charged units. */
const CHARGE_TICK_MS = 100;

function emptyStats(): EmulatorStats {
  return {
    requests: {},
    totalRequests: 0,
    unitsCharged: 0,
    unitsByAccount: {},
    quota429: 0,
    quota403: 0,
    concurrency429: 0,
    sent429: 0,
    sent403: 0,
    unauthorized401: 0,
    notFound404: 0,
    faults: { '500': 0, '503': 0, reset: 0, '429': 0, slow: 0 },
    maxConcurrency: 0,
    batchRequests: 0,
    batchParts: 0,
    detailFetches: {},
    maxDetailFetches: 0,
    charges: { since: Date.now(), tickMs: CHARGE_TICK_MS, units: [] },
    oauth: { authorizations: 0, codeExchanges: 0, refreshes: 0, revocations: 0, invalidGrants: 0 },
  };
}

/** Deterministic fault sequence: the n-th Gmail call gets the n-th draw of the seeded stream. */
class FaultInjector {
  private rng: Rng;
  constructor(private opts: FaultOptions | undefined) {
    this.rng = Rng.from(opts?.seed ?? 0, 0x66617574);
  }
  set(opts: FaultOptions | undefined): void {
    this.opts = opts;
    this.rng = Rng.from(opts?.seed ?? 0, 0x66617574);
  }
  draw(): FaultKind | null {
    if (!this.opts || !(this.opts.rate > 0)) return null;
    const u = this.rng.next();
    const v = this.rng.next();
    if (u >= this.opts.rate) return null;
    const kinds = this.opts.kinds?.length ? this.opts.kinds : (['500', '503', 'reset'] as FaultKind[]);
    return kinds[Math.floor(v * kinds.length)];
  }
  get slowMs(): number {
    return this.opts?.slowMs ?? 30_000;
  }
  /** Retry-After of an injected 429: 1–3 s. */
  retryAfterMs(): number {
    return 1000 + Math.floor(this.rng.next() * 2000);
  }
}

type Decision = { kind: 'error'; res: ApiResponse } | { kind: 'reset' } | { kind: 'ok'; slowMs: number };

export class EmulatorImpl implements Emulator {
  url = '';
  gmailApiUrl = '';
  oauth = { authUrl: '', tokenUrl: '', revokeUrl: '', tokenInfoUrl: '' };
  readonly clientId: string;
  readonly clientSecret: string;
  readonly accounts = new Map<string, MailboxImpl>();
  private consent: string | undefined;
  private readonly oauthServer: OAuthServer;
  private readonly quota: QuotaManager;
  private readonly faults: FaultInjector;
  private latency: LatencyOptions | undefined;
  private latencyRng: Rng;
  private readonly cache = new RenderCache();
  private readonly api: GmailApi;
  private st: EmulatorStats = emptyStats();
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;
  private readonly seed: number;

  constructor(opts: EmulatorOptions) {
    this.seed = opts.seed ?? 1;
    this.clientId = opts.clientId ?? DEFAULT_CLIENT_ID;
    this.clientSecret = opts.clientSecret ?? DEFAULT_CLIENT_SECRET;
    this.quota = new QuotaManager(opts.quota, this.seed);
    this.faults = new FaultInjector(opts.faults);
    this.latency = opts.latencyMs;
    this.latencyRng = Rng.from(this.seed, 0x6c6174);
    const statsOf = (): OAuthStats => this.st.oauth;
    this.oauthServer = new OAuthServer(this.clientId, this.clientSecret, opts.accessTokenTtlSec ?? 3600, {
      consentAccount: (hint) => this.consentAccount(hint),
      get stats(): OAuthStats {
        return statsOf();
      },
    });
    this.api = new GmailApi(this.cache, (id) => {
      const n = (this.st.detailFetches[id] ?? 0) + 1;
      this.st.detailFetches[id] = n;
      if (n > this.st.maxDetailFetches) this.st.maxDetailFetches = n;
    });
    this.server = createServer((req, res) => this.onRequest(req, res));
    this.server.keepAliveTimeout = 30_000;
    this.server.headersTimeout = 35_000;
    this.server.on('connection', (s: Socket) => {
      s.setNoDelay(true);
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const addr = this.server.address();
    const p = addr && typeof addr === 'object' ? addr.port : port;
    this.url = `http://127.0.0.1:${p}`;
    this.gmailApiUrl = this.url + '/';
    this.oauth = {
      authUrl: `${this.url}/o/oauth2/v2/auth`,
      tokenUrl: `${this.url}/token`,
      revokeUrl: `${this.url}/revoke`,
      tokenInfoUrl: `${this.url}/tokeninfo`,
    };
  }

  // ---------------------------------------------------------------- public API

  addAccount(email: string, spec: MailboxSpec = { messages: 200 }): Mailbox {
    const key = email.toLowerCase();
    if (this.accounts.has(key)) throw new Error(`account ${email} exists`);
    const box = new MailboxImpl(email, spec, { revokeTokens: (e) => this.oauthServer.revokeAccount(e) });
    this.accounts.set(key, box);
    return box;
  }

  account(email: string): MailboxImpl {
    const box = this.accounts.get(email.toLowerCase());
    if (!box) throw new Error(`no account ${email}`);
    return box;
  }

  setConsentAccount(email: string): void {
    this.account(email);
    this.consent = email.toLowerCase();
  }

  private consentAccount(hint: string | undefined): string | undefined {
    if (hint && this.accounts.has(hint.toLowerCase())) return this.accounts.get(hint.toLowerCase())?.email;
    if (this.consent && this.accounts.has(this.consent)) return this.accounts.get(this.consent)?.email;
    return this.accounts.values().next().value?.email;
  }

  setQuota(q: QuotaOptions | undefined): void {
    this.quota.set(q);
  }

  setFaults(f: FaultOptions | undefined): void {
    this.faults.set(f);
  }

  setLatency(l: LatencyOptions | undefined): void {
    this.latency = l;
    this.latencyRng = Rng.from(this.seed, 0x6c6174);
  }

  stats(): EmulatorStats {
    return structuredClone(this.st);
  }

  resetStats(): void {
    this.st = emptyStats();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const done = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    for (const s of this.sockets) s.destroy();
    await done;
    this.cache.clear();
  }

  // ---------------------------------------------------------------- plumbing

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }

  private latencyMs(): number {
    const l = this.latency;
    if (!l || l.max <= 0) return 0;
    const min = Math.max(0, Math.min(l.min, l.max));
    return min + this.latencyRng.next() * (l.max - min);
  }

  private send(res: ServerResponse, r: ApiResponse, fields?: string | null): void {
    if (res.writableEnded || res.destroyed) return;
    let body = r.body;
    if (fields && r.status === 200 && typeof body === 'string') body = applyFields(body, fields);
    const headers: Record<string, string | number> = {
      'Content-Type': r.contentType ?? 'application/json; charset=UTF-8',
      'Content-Length': typeof body === 'string' ? Buffer.byteLength(body) : body.length,
      Vary: 'Origin, X-Origin, Referer',
      ...r.headers,
    };
    res.writeHead(r.status, headers);
    res.end(body);
  }

  private count(method: StatMethod): void {
    this.st.requests[method] = (this.st.requests[method] ?? 0) + 1;
    this.st.totalRequests++;
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    const qi = url.indexOf('?');
    const path = qi < 0 ? url : url.slice(0, qi);
    const query = new URLSearchParams(qi < 0 ? '' : url.slice(qi + 1));
    if (req.method === 'GET' && path.startsWith('/gmail/v1/')) {
      void this.handleGmail(req, res, path, query).catch((e: unknown) => this.fail(res, e));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      void this.dispatch(req, res, path, query, body).catch((e: unknown) => this.fail(res, e));
    });
  }

  private fail(res: ServerResponse, e: unknown): void {
    if (this.closed) return;
    this.send(res, googleError(500, `Emulator error: ${e instanceof Error ? e.message : String(e)}`, 'backendError'));
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams, body: Buffer): Promise<void> {
    const method = req.method ?? 'GET';
    if (path.startsWith('/gmail/v1/')) {
      // Only reads are emulated; writes answer like a read-only token would.
      this.send(res, routeGmail(path) ? insufficientScope() : notFound());
      return;
    }
    if ((path === '/batch/gmail/v1' || path === '/batch') && method === 'POST') return this.handleBatch(req, res, body);
    if ((path === '/o/oauth2/v2/auth' || path === '/o/oauth2/auth') && method === 'GET') return this.send(res, this.oauthServer.authorize(query));
    if ((path === '/token' || path === '/o/oauth2/token') && method === 'POST') {
      return this.send(res, this.oauthServer.token(parseBody(body, req.headers['content-type']), req.headers.authorization));
    }
    if ((path === '/revoke' || path === '/o/oauth2/revoke') && (method === 'POST' || method === 'GET')) {
      const form = parseBody(body, req.headers['content-type']);
      return this.send(res, this.oauthServer.revoke(query.get('token') ?? form.token));
    }
    if (path === '/tokeninfo' || path === '/oauth2/v3/tokeninfo') return this.send(res, this.oauthServer.tokenInfo(query));
    if (path.startsWith('/__emulator/')) return this.send(res, handleControl(this, method, path.slice('/__emulator/'.length), query, body, req.headers));
    this.send(res, notFound());
  }

  /** Checks a Gmail call for a user in order: userId, quota, then the fault draw. */
  private admit(principal: Principal, route: GmailRoute): Decision {
    const me = principal.email.toLowerCase();
    if (route.userId !== 'me' && route.userId.toLowerCase() !== me) {
      return { kind: 'error', res: googleError(403, `Delegation denied for ${principal.email}`, 'forbidden') };
    }
    const cost = this.quota.costOf(route.method);
    const now = Date.now();
    const a = this.quota.admit(me, cost, now);
    if (!a.ok) {
      if (a.style === '403') {
        this.st.quota403++;
        this.st.sent403++;
      } else {
        this.st.quota429++;
        this.st.sent429++;
      }
      return { kind: 'error', res: userRateLimit(a.style, a.retryAt, now) };
    }
    this.st.unitsCharged += cost;
    const c = this.st.charges;
    const tick = Math.max(0, Math.floor((now - c.since) / c.tickMs));
    while (c.units.length <= tick) c.units.push(0);
    c.units[tick] += cost;
    this.st.unitsByAccount[principal.email] = (this.st.unitsByAccount[principal.email] ?? 0) + cost;
    const fault = this.faults.draw();
    if (!fault) return { kind: 'ok', slowMs: 0 };
    this.st.faults[fault]++;
    switch (fault) {
      case '500':
        return { kind: 'error', res: backendError() };
      case '503':
        return { kind: 'error', res: unavailable() };
      case '429':
        this.st.sent429++;
        return { kind: 'error', res: userRateLimit('429', now + this.faults.retryAfterMs(), now) };
      case 'reset':
        return { kind: 'reset' };
      case 'slow':
        return { kind: 'ok', slowMs: this.faults.slowMs };
    }
  }

  private execute(principal: Principal, route: GmailRoute, query: URLSearchParams): ApiResponse {
    const box = this.accounts.get(principal.email.toLowerCase());
    const r = box ? this.api.handle(route, box, query, principal.scope) : notFound();
    if (r.status === 404) this.st.notFound404++;
    return r;
  }

  private async handleGmail(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> {
    const route = routeGmail(path);
    if (!route) {
      this.count('unknown');
      this.send(res, notFound());
      return;
    }
    this.count(route.method as GmailMethod);
    const principal = this.oauthServer.authenticate(req.headers.authorization);
    if (!principal) {
      this.st.unauthorized401++;
      const lat = this.latencyMs();
      if (lat) await this.delay(lat);
      this.send(res, unauthorized());
      return;
    }
    const user = principal.email.toLowerCase();
    const inflight = this.quota.enter(user);
    let left = false;
    const leave = (): void => {
      if (!left) {
        left = true;
        this.quota.exit(user);
      }
    };
    res.on('close', leave);
    if (inflight > this.st.maxConcurrency) this.st.maxConcurrency = inflight;
    let decision: Decision;
    if (inflight > this.quota.concurrencyLimit()) {
      leave();
      this.st.concurrency429++;
      this.st.sent429++;
      decision = { kind: 'error', res: tooManyConcurrent() };
    } else {
      decision = this.admit(principal, route);
    }
    const wait = this.latencyMs() + (decision.kind === 'ok' ? decision.slowMs : 0);
    if (wait) await this.delay(wait);
    if (this.closed) return;
    if (decision.kind === 'reset') {
      req.socket.destroy();
      leave();
      return;
    }
    this.send(res, decision.kind === 'error' ? decision.res : this.execute(principal, route, query), query.get('fields'));
  }

  private async handleBatch(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    this.count('batch');
    this.st.batchRequests++;
    const boundary = batchBoundary(req.headers['content-type']);
    const parts = boundary ? parseBatch(body, boundary) : null;
    if (!parts || !parts.length) {
      this.send(res, badRequest('Invalid multipart request with 0 mime parts.', 'badRequest'));
      return;
    }
    if (parts.length > MAX_BATCH_PARTS) {
      this.send(res, badRequest(`Too many requests in batch. Maximum allowed: ${MAX_BATCH_PARTS}. Requested: ${parts.length}`, 'badRequest'));
      return;
    }
    const outer = this.oauthServer.authenticate(req.headers.authorization);
    // The batch is one HTTP request in flight for its user; its parts are charged one by one.
    const outerUser = outer?.email.toLowerCase();
    let overConcurrency = false;
    if (outerUser) {
      const n = this.quota.enter(outerUser);
      if (n > this.st.maxConcurrency) this.st.maxConcurrency = n;
      res.on('close', () => this.quota.exit(outerUser));
      overConcurrency = n > this.quota.concurrencyLimit();
    }
    type Pending = { contentId: string; res?: ApiResponse; principal?: Principal; route?: GmailRoute; query?: URLSearchParams; fields?: string | null };
    const pending: Pending[] = [];
    let slow = 0;
    let reset = false;
    parts.forEach((p, i) => {
      this.st.batchParts++;
      const contentId = p.contentId ?? String(i + 1);
      const qi = p.target.indexOf('?');
      const path = qi < 0 ? p.target : p.target.slice(0, qi);
      const query = new URLSearchParams(qi < 0 ? '' : p.target.slice(qi + 1));
      const route = routeGmail(path);
      if (!route) {
        this.count('unknown');
        pending.push({ contentId, res: notFound() });
        return;
      }
      this.count(route.method);
      if (p.method !== 'GET') {
        pending.push({ contentId, res: insufficientScope() });
        return;
      }
      const principal = p.headers.authorization ? this.oauthServer.authenticate(p.headers.authorization) : outer;
      if (!principal) {
        this.st.unauthorized401++;
        pending.push({ contentId, res: unauthorized() });
        return;
      }
      if (overConcurrency) {
        this.st.concurrency429++;
        this.st.sent429++;
        pending.push({ contentId, res: tooManyConcurrent() });
        return;
      }
      const d = this.admit(principal, route);
      if (d.kind === 'reset') reset = true;
      else if (d.kind === 'error') pending.push({ contentId, res: d.res });
      else {
        slow = Math.max(slow, d.slowMs);
        pending.push({ contentId, principal, route, query, fields: query.get('fields') });
      }
    });
    const wait = this.latencyMs() + slow;
    if (wait) await this.delay(wait);
    if (this.closed) return;
    if (reset) {
      req.socket.destroy();
      return;
    }
    const answers = pending.map((p) => {
      let r = p.res ?? (p.principal && p.route && p.query ? this.execute(p.principal, p.route, p.query) : notFound());
      if (p.fields && r.status === 200 && typeof r.body === 'string') r = { ...r, body: applyFields(r.body, p.fields) };
      return { contentId: p.contentId, res: r };
    });
    const out = formatBatch(answers);
    this.send(res, { status: 200, body: out.body, contentType: `multipart/mixed; boundary=${out.boundary}` });
  }
}

export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  const emu = new EmulatorImpl(opts);
  await emu.listen(opts.port ?? 0);
  return emu;
}
