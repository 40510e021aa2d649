// The browser host: the built renderer and the IPC contract (over a WebSocket) on 127.0.0.1, for
// `mailmirror serve`. No cookie, ever: cookies are not separated by port and SameSite treats all of
// 127.0.0.1 as one site, so any other local service the user visits would receive one.
//
// Access goes like this. The printed URL carries a one-time link token. The page (public, like
// its assets: they hold no data) posts it to /session from its own origin and gets a session
// secret back, keeps it in localStorage (readable only by this origin, i.e. this port) and drops the
// token from the address bar; the used token is worth nothing, so browser history holds nothing
// reusable. The session travels only as a WebSocket subprotocol (`mailmirror.session.<secret>`) and,
// for mounted tools (Bull Board's API), as the X-Mailmirror-Session header. Every request checks
// Host (DNS rebinding), the WebSocket and every POST check Origin (other pages).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { basename, dirname, extname, join, resolve, sep } from 'node:path';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { rendererCsp } from '../../shared/csp';
import { SESSION_HEADER, SESSION_PATH, WS_PATH, WS_PROTOCOL, WS_SESSION_PROTOCOL_PREFIX, wsClientMessageSchema, type WsServerMessage } from '../../shared/ipc-wire';
import type { IpcRouter, RouterLog } from '../ipc/router';

/** Another handler served under a path prefix behind the same token (e.g. Bull Board). */
export type HostMount = {
  /** Starts and ends with '/', e.g. '/queues/'. */
  prefix: string;
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  /** Its own CSP (default: the renderer's). */
  csp?: string;
  /**
   * Which of its paths need the session header (default: all). A tool's page and static assets
   * may be public (they carry no data); its API must not be.
   */
  needsSession?: (pathname: string) => boolean;
};

export type BrowserHostOptions = {
  router: IpcRouter;
  /** The built renderer (dist/renderer). */
  staticDir: string;
  /** 0 (default) = any free port. */
  port?: number;
  mounts?: HostMount[];
  log?: RouterLog;
};

export interface BrowserHost {
  /** The URL to open, with a one-time link token. */
  readonly url: string;
  /** `http://127.0.0.1:PORT`, the only Origin accepted. */
  readonly origin: string;
  readonly port: number;
  /** Another one-time link (for another browser: each link opens Mailmirror once). */
  newLink(): string;
  close(): Promise<void>;
}

const MAX_SESSION_BODY = 1024;

export const HOST_ADDRESS = '127.0.0.1';
/** Invoke requests are small; answers (bodies, attachments) are not limited. */
const MAX_WS_FRAME = 1024 * 1024;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** Finds dist/renderer walking up from `start` (works from src/ under tsx/vitest and from dist/). */
export function findRendererDir(start: string = __dirname): string | null {
  let dir = resolve(start);
  for (;;) {
    const candidates = [join(dir, 'dist', 'renderer')];
    if (basename(dir) === 'dist') candidates.unshift(join(dir, 'renderer'));
    for (const c of candidates) if (existsSync(join(c, 'index.html'))) return c;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

function sameSecret(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Secrets compared in constant time; a set of them looked up without leaking which one is close. */
class SecretSet {
  private readonly items = new Set<string>();
  add(v: string): void {
    this.items.add(v);
  }
  /** The stored secret equal to `v`, or undefined. */
  find(v: unknown): string | undefined {
    if (typeof v !== 'string' || v.length === 0 || v.length > 256) return undefined;
    let hit: string | undefined;
    for (const item of this.items) if (sameSecret(v, item)) hit = item;
    return hit;
  }
  delete(v: string): void {
    this.items.delete(v);
  }
}

const newSecret = () => randomBytes(32).toString('base64url');

/** The session a WebSocket handshake offers as a subprotocol, if any. */
function sessionFromProtocols(header: string | undefined): string | undefined {
  for (const p of (header ?? '').split(',')) {
    const v = p.trim();
    if (v.startsWith(WS_SESSION_PROTOCOL_PREFIX)) return v.slice(WS_SESSION_PROTOCOL_PREFIX.length);
  }
  return undefined;
}

const COMMON_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
};

export async function startBrowserHost(opts: BrowserHostOptions): Promise<BrowserHost> {
  const staticDir = resolve(opts.staticDir);
  if (!existsSync(join(staticDir, 'index.html'))) {
    throw new Error(`the renderer is not built (no ${join(staticDir, 'index.html')}): run \`npm run build\``);
  }
  const linkTokens = new SecretSet();
  const sessions = new SecretSet();
  const log = opts.log;
  const server: Server = createServer();
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_WS_FRAME,
    // The session protocol only authenticates; the one answered is the plain one (never echo a secret).
    handleProtocols: (protocols) => (protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
  });

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, HOST_ADDRESS, () => {
      server.off('error', fail);
      ok();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `http://${HOST_ADDRESS}:${port}`;
  const hostHeader = `${HOST_ADDRESS}:${port}`;
  const csp = rendererCsp({ connectSrc: [`ws://${hostHeader}`] });
  const newLink = () => {
    const t = newSecret();
    linkTokens.add(t);
    return `${origin}/?token=${t}`;
  };
  const firstLink = newLink();

  const refuse = (res: ServerResponse, status: number, text: string) => {
    res.writeHead(status, {
      ...COMMON_HEADERS,
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
      'Cache-Control': 'no-store',
    });
    res.end(`${text}\n`);
  };

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, {
      ...COMMON_HEADERS,
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
      'Cache-Control': 'no-store',
    });
    res.end(JSON.stringify(body));
  };

  /** POST /session {token} | {session} → {session}: a one-time link token is spent here. */
  function handleSession(req: IncomingMessage, res: ServerResponse) {
    if (!(req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) {
      json(res, 415, { error: 'Expected application/json' });
      return;
    }
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_SESSION_BODY) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      let body: { token?: unknown; session?: unknown } = {};
      try {
        const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        if (typeof parsed === 'object' && parsed !== null) body = parsed;
      } catch {
        json(res, 400, { error: 'Expected JSON' });
        return;
      }
      const token = linkTokens.find(body.token);
      if (token) {
        linkTokens.delete(token);
        const session = newSecret();
        sessions.add(session);
        json(res, 200, { session });
        return;
      }
      const session = sessions.find(body.session);
      if (session) {
        json(res, 200, { session });
        return;
      }
      json(res, 403, {
        error: body.token !== undefined
          ? 'This link was used already or belongs to an earlier run of mailmirror serve: each link opens Mailmirror once.'
          : 'This page needs the link that mailmirror serve printed.',
      });
    });
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', origin);
    if (req.headers.host !== hostHeader) {
      refuse(res, 403, `Mailmirror only answers at ${origin}`);
      return;
    }
    const method = req.method ?? 'GET';
    // State-changing requests must come from this origin (no cross-site form or text/plain POST).
    if (method !== 'GET' && method !== 'HEAD' && req.headers.origin !== origin) {
      refuse(res, 403, 'Cross-origin request refused');
      return;
    }
    if (url.pathname === SESSION_PATH) {
      if (method !== 'POST') {
        res.setHeader('Allow', 'POST');
        refuse(res, 405, 'Method not allowed');
        return;
      }
      handleSession(req, res);
      return;
    }
    const mount = opts.mounts?.find((m) => url.pathname === m.prefix.slice(0, -1) || url.pathname.startsWith(m.prefix));
    if (mount) {
      const header = req.headers[SESSION_HEADER];
      if ((mount.needsSession?.(url.pathname) ?? true) && !sessions.find(Array.isArray(header) ? header[0] : header)) {
        refuse(res, 403, 'This Mailmirror address needs the link printed by `mailmirror serve`.');
        return;
      }
      for (const [k, v] of Object.entries(COMMON_HEADERS)) res.setHeader(k, v);
      res.setHeader('Content-Security-Policy', mount.csp ?? csp);
      mount.handler(req, res);
      return;
    }
    if (method !== 'GET' && method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      refuse(res, 405, 'Method not allowed');
      return;
    }
    // The renderer's files are public: the same for every install, with no data in them.
    serveStatic(url.pathname, method === 'HEAD', res);
  });

  function serveStatic(pathname: string, headOnly: boolean, res: ServerResponse) {
    let rel: string;
    try {
      rel = decodeURIComponent(pathname);
    } catch {
      refuse(res, 400, 'Bad path');
      return;
    }
    if (rel.includes('\0')) {
      refuse(res, 400, 'Bad path');
      return;
    }
    if (rel === '/' || rel === '/index.html') rel = '/index.html';
    const file = resolve(staticDir, `.${rel}`);
    if (file !== staticDir && !file.startsWith(staticDir + sep)) {
      refuse(res, 404, 'Not found');
      return;
    }
    let size: number;
    try {
      const st = statSync(file);
      if (!st.isFile()) throw new Error('not a file');
      size = st.size;
    } catch {
      refuse(res, 404, 'Not found');
      return;
    }
    const isHtml = extname(file) === '.html';
    res.writeHead(200, {
      ...COMMON_HEADERS,
      'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Length': String(size),
      'Content-Security-Policy': csp,
      // Vite names assets by content hash; the page itself is never cached (a new build replaces it).
      'Cache-Control': isHtml || !rel.startsWith('/assets/') ? 'no-store' : 'private, max-age=31536000, immutable',
    });
    if (headOnly) {
      res.end();
      return;
    }
    createReadStream(file).on('error', () => res.destroy()).pipe(res);
  }

  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const url = new URL(req.url ?? '/', origin);
    const deny = (status: number, reason: string) => {
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
    };
    if (url.pathname !== WS_PATH) return deny(404, 'Not Found');
    if (req.headers.host !== hostHeader) return deny(403, 'Forbidden');
    // Browsers always send Origin on WebSocket handshakes; pages elsewhere cannot fake it.
    if (req.headers.origin !== origin) return deny(403, 'Forbidden');
    if (!sessions.find(sessionFromProtocols(req.headers['sec-websocket-protocol']))) return deny(403, 'Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws));
  });

  function send(ws: WebSocket, msg: WsServerMessage) {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
  }

  function onConnection(ws: WebSocket) {
    const unsubscribe = opts.router.subscribe((event) => send(ws, { type: 'event', name: event.name, payload: event.payload }));
    ws.on('close', unsubscribe);
    ws.on('error', () => ws.terminate());
    ws.on('message', (data: RawData, isBinary: boolean) => {
      let parsed: unknown;
      try {
        if (isBinary) throw new Error('binary');
        parsed = JSON.parse(data.toString());
      } catch {
        send(ws, { type: 'protocol-error', error: { code: 'INVALID_REQUEST', message: 'Frames must be JSON text' } });
        return;
      }
      const msg = wsClientMessageSchema.safeParse(parsed);
      if (!msg.success) {
        const id = typeof parsed === 'object' && parsed !== null && 'id' in parsed ? (parsed as { id: unknown }).id : undefined;
        const error = { code: 'INVALID_REQUEST' as const, message: 'Expected {type:"invoke", id, channel, request}' };
        if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) send(ws, { type: 'result', id, result: { ok: false, error } });
        else send(ws, { type: 'protocol-error', error });
        return;
      }
      const { id, channel, request } = msg.data;
      opts.router.handle(channel, request, { transport: 'websocket' }).then(
        (result) => send(ws, { type: 'result', id, result }),
        (e: unknown) => {
          // handle() never throws; this is a last guard so a socket never waits forever.
          log?.warn({ channel, err: e instanceof Error ? e.message : String(e) }, 'ipc over websocket failed');
          send(ws, { type: 'result', id, result: { ok: false, error: { code: 'INTERNAL', message: 'Something went wrong' } } });
        },
      );
    });
  }

  return {
    url: firstLink,
    origin,
    port,
    newLink,
    async close() {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      await new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      });
    },
  };
}
