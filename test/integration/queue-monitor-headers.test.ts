// Issue 11: Bull Board under /queues/ is two express apps (ours and the board's own router); neither
// may announce itself with `X-Powered-By: Express`, on its page, its static files, its API or a 404.
// Real queues on a real redis-server; the handler is called as the browser host mounts it.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueueMonitor } from '../../src/main/queues/monitor';
import { SyncQueues } from '../../src/main/queues/sync-queues';
import { startTestRedis, type TestRedis } from '../helpers/redis';

let redis: TestRedis;
let connection: Redis;
let queues: SyncQueues;
let server: Server;
let base: string;

beforeAll(async () => {
  redis = await startTestRedis();
  connection = new Redis({ path: redis.socket, maxRetriesPerRequest: null });
  queues = new SyncQueues(connection, `mm-test-${randomUUID()}`);
  const monitor = createQueueMonitor(queues);
  server = createServer((req, res) => monitor.handler(req, res));
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((ok) => (server ? server.close(() => ok()) : ok()));
  if (queues) await Promise.all(Object.values(queues.queues).map((q) => q.close()));
  connection?.disconnect();
  await redis?.stop();
});

describe('Bull Board headers', () => {
  it('never sends X-Powered-By', async () => {
    const page = await fetch(`${base}/queues/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(page.headers.get('x-powered-by')).toBeNull();
    // One of the board's own static files, as the page links it (relative to <base href="/queues/">).
    const asset = /(?:src|href)="(static\/[^"]+\.(?:js|css))"/.exec(html)?.[1];
    expect(asset, html.slice(0, 500)).toBeTruthy();
    const paths = [`/queues/${asset}`, '/queues/api/queues', '/queues/no-such-page', '/queues/api/no-such-thing'];
    for (const path of paths) {
      const res = await fetch(`${base}${path}`);
      await res.arrayBuffer();
      expect(res.headers.get('x-powered-by'), path).toBeNull();
    }
  });
});
