// Bull Board over every queue, as an HTTP handler the browser host mounts behind its secret token.
import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { SyncQueues } from './sync-queues';

export const MONITOR_PREFIX = '/queues/';

export type QueueMonitor = {
  prefix: string;
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  csp: string;
};

export function createQueueMonitor(queues: SyncQueues): QueueMonitor {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(MONITOR_PREFIX.slice(0, -1));
  createBullBoard({
    queues: Object.values(queues.queues).map((q) => new BullMQAdapter(q, { readOnlyMode: false })),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Mailmirror queues' } },
  });
  const app = express();
  app.disable('x-powered-by');
  app.use(MONITOR_PREFIX.slice(0, -1), serverAdapter.getRouter() as express.Router);
  return {
    prefix: MONITOR_PREFIX,
    handler: (req, res) => app(req as express.Request, res as express.Response),
    // Bull Board's UI: its own bundle and styles from the same origin, nothing remote.
    csp: "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  };
}
