// Bull Board over every queue, as an HTTP handler the browser host mounts. Its page and static files
// are public (no data in them); its API needs the browser host's session, which the page cannot put
// in a cookie (cookies leak to every service on 127.0.0.1): a small script injected into the page
// adds the session header, from this origin's localStorage, to the board's own same-origin requests.
import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { SESSION_HEADER, SESSION_STORAGE_KEY } from '../../shared/ipc-wire';
import type { SyncQueues } from './sync-queues';

export const MONITOR_PREFIX = '/queues/';
const API_PREFIX = `${MONITOR_PREFIX}api`;
const SESSION_SCRIPT_PATH = `${MONITOR_PREFIX}mailmirror-session.js`;

/** Runs before the board's bundle: every same-origin XHR and fetch carries the session header. */
const SESSION_SCRIPT = `(() => {
  let s = null;
  try { s = localStorage.getItem(${JSON.stringify(SESSION_STORAGE_KEY)}); } catch {}
  if (!s) return;
  const own = (u) => { try { return new URL(u, location.href).origin === location.origin; } catch { return false; } };
  const open = XMLHttpRequest.prototype.open;
  XMLHttpRequest.prototype.open = function (method, url, ...rest) {
    open.call(this, method, url, ...rest);
    if (own(url)) this.setRequestHeader(${JSON.stringify(SESSION_HEADER)}, s);
  };
  const f = window.fetch.bind(window);
  window.fetch = (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (!own(url)) return f(input, init);
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    headers.set(${JSON.stringify(SESSION_HEADER)}, s);
    return f(input, { ...init, headers });
  };
})();
`;

export type QueueMonitor = {
  prefix: string;
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  csp: string;
  needsSession: (pathname: string) => boolean;
};

export function createQueueMonitor(queues: SyncQueues, opts: { writable?: boolean } = {}): QueueMonitor {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(MONITOR_PREFIX.slice(0, -1));
  createBullBoard({
    // Read-only unless the user turned writes on: retrying, promoting or cleaning jobs by hand can
    // fight the sync's own bookkeeping.
    queues: Object.values(queues.queues).map((q) => new BullMQAdapter(q, { readOnlyMode: !opts.writable })),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Mailmirror queues' } },
  });
  const board = serverAdapter.getRouter() as express.Express;
  // The board is an express app of its own: it would announce itself too.
  board.disable('x-powered-by');
  // Its page is rendered from the package's template: put the session script first in it.
  const render = board.response.render as (this: express.Response, view: string, options: object, cb: (err: Error | null, html: string) => void) => void;
  board.response.render = function (this: express.Response, view: string, options?: object) {
    render.call(this, view, options ?? {}, (err: Error | null, html: string) => {
      if (err) {
        this.status(500).type('text/plain').send('Bull Board could not render its page');
        return;
      }
      this.type('html').send(html.replace('<head>', `<head><script src="${SESSION_SCRIPT_PATH}"></script>`));
    });
  } as typeof board.response.render;

  const app = express();
  app.disable('x-powered-by');
  app.get(SESSION_SCRIPT_PATH, (_req, res) => {
    res.type('text/javascript').set('Cache-Control', 'no-store').send(SESSION_SCRIPT);
  });
  app.use(MONITOR_PREFIX.slice(0, -1), board);
  return {
    prefix: MONITOR_PREFIX,
    handler: (req, res) => app(req as express.Request, res as express.Response),
    // Bull Board's UI: its own bundle and styles from the same origin, nothing remote.
    csp: "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    needsSession: (pathname) => pathname === API_PREFIX || pathname.startsWith(`${API_PREFIX}/`),
  };
}
