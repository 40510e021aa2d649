// The browser host: the built renderer and the IPC contract (over a WebSocket) on 127.0.0.1, for
// `mailmirror serve`. Only someone holding this run's random token gets anything: it comes in the
// printed URL, then as an HttpOnly SameSite=Strict cookie so reloads work. The WebSocket also
// checks Origin (only the host's own), which is what stops other web pages from driving it, and
// every request checks Host, which stops DNS-rebinding pages.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { basename, dirname, extname, join, resolve, sep } from 'node:path';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { rendererCsp } from '../../shared/csp';
import { WS_PATH, wsClientMessageSchema, type WsServerMessage } from '../../shared/ipc-wire';
import type { IpcRouter, RouterLog } from '../ipc/router';

/** Another handler served under a path prefix behind the same token (e.g. Bull Board). */
export type HostMount = {
  /** Starts and ends with '/', e.g. '/queues/'. */
  prefix: string;
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  /** Its own CSP (default: the renderer's). */
  csp?: string;
};

export type BrowserHostOptions = {
  router: IpcRouter;
  /** The built renderer (dist/renderer). */
  staticDir: string;
  /** 0 (default) = any free port. */
  port?: number;
  /** Default: 32 random bytes. */
  token?: string;
  mounts?: HostMount[];
  log?: RouterLog;
};

export interface BrowserHost {
  /** The URL to open, token included. */
  readonly url: string;
  /** `http://127.0.0.1:PORT`, the only Origin accepted. */
  readonly origin: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

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

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
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
  const token = opts.token ?? randomBytes(32).toString('base64url');
  const log = opts.log;
  const server: Server = createServer();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WS_FRAME });

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
  // Cookies are not isolated by port: name this run's cookie after its port.
  const cookieName = `mailmirror_${port}`;
  const csp = rendererCsp({ connectSrc: [`ws://${hostHeader}`] });

  const authorized = (req: IncomingMessage, url: URL): 'query' | 'cookie' | null => {
    if (sameSecret(url.searchParams.get('token') ?? undefined, token)) return 'query';
    if (sameSecret(cookieValue(req.headers.cookie, cookieName), token)) return 'cookie';
    return null;
  };

  const refuse = (res: ServerResponse, status: number, text: string) => {
    res.writeHead(status, {
      ...COMMON_HEADERS,
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
      'Cache-Control': 'no-store',
    });
    res.end(`${text}\n`);
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', origin);
    if (req.headers.host !== hostHeader) {
      refuse(res, 403, `Mailmirror only answers at ${origin}`);
      return;
    }
    const auth = authorized(req, url);
    if (!auth) {
      refuse(res, 403, 'This Mailmirror address needs the link printed by `mailmirror serve` (it carries a secret key).');
      return;
    }
    const method = req.method ?? 'GET';
    // State-changing requests (only mounted tools have any) must come from this origin.
    if (method !== 'GET' && method !== 'HEAD' && req.headers.origin !== origin) {
      refuse(res, 403, 'Cross-origin request refused');
      return;
    }
    const extra: Record<string, string> = {};
    if (auth === 'query') {
      extra['Set-Cookie'] = `${cookieName}=${token}; Path=/; HttpOnly; SameSite=Strict`;
    }
    const mount = opts.mounts?.find((m) => url.pathname === m.prefix.slice(0, -1) || url.pathname.startsWith(m.prefix));
    if (mount) {
      for (const [k, v] of Object.entries({ ...COMMON_HEADERS, ...extra })) res.setHeader(k, v);
      res.setHeader('Content-Security-Policy', mount.csp ?? csp);
      mount.handler(req, res);
      return;
    }
    if (method !== 'GET' && method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      refuse(res, 405, 'Method not allowed');
      return;
    }
    serveStatic(url.pathname, method === 'HEAD', res, extra);
  });

  function serveStatic(pathname: string, headOnly: boolean, res: ServerResponse, extra: Record<string, string>) {
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
      ...extra,
      'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Length': String(size),
      'Content-Security-Policy': csp,
      // Vite names assets by content hash; the page itself must never be cached with a stale token.
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
    if (!authorized(req, url)) return deny(403, 'Forbidden');
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
    url: `${origin}/?token=${token}`,
    origin,
    port,
    token,
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
