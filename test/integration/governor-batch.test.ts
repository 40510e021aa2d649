// batchGet against a tiny server that speaks Gmail's batch format
// (https://developers.google.com/workspace/gmail/api/guides/batch), alone and through the quota governor.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { OAuth2Client } from 'google-auth-library';
import { batchGet, batchPartError, MAX_BATCH_PARTS } from '../../src/main/gmail/batch';
import { QuotaGovernor, governorPacing } from '../../src/main/gmail/quota-governor';
import {
  BatchTooLargeError, GmailAuthError, GmailNotFoundError, GmailRateLimitError, GmailTransientError,
} from '../../src/main/gmail/errors';
import { redisOptionsFromUrl } from '../../src/main/redis/redis-options';
import { startTestRedis, type TestRedis } from '../helpers/redis';

type SeenPart = { headers: Record<string, string>; requestLine: string };
type Seen = { authorization?: string; contentType?: string; parts: SeenPart[] };

let redis: TestRedis;
let server: ReturnType<typeof createServer>;
let rootUrl: string;
const seen: Seen[] = [];
/** What the next batch answers as a whole, when set (401, 503, …). */
let outerStatus: number | undefined;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

function parseRequestParts(body: string, boundary: string): SeenPart[] {
  return body.split(`--${boundary}`).slice(1).filter((p) => !p.startsWith('--')).map((p) => {
    const [head, inner] = p.replace(/^\r\n/, '').split('\r\n\r\n');
    const headers: Record<string, string> = {};
    for (const line of head.split('\r\n')) {
      const i = line.indexOf(':');
      headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
    }
    return { headers, requestLine: inner.split('\r\n')[0] };
  });
}

function gmailErrorBody(code: number, reason: string, message: string): string {
  return JSON.stringify({ error: { code, message, errors: [{ message, domain: 'global', reason }] } }, null, 2);
}

/** One response part as Gmail writes it: application/http wrapping a whole HTTP response. */
function responsePart(boundary: string, contentId: string, status: number, statusText: string, json: string): string {
  return `--${boundary}\r\nContent-Type: application/http\r\nContent-ID: <response-${contentId}>\r\n\r\n` +
    `HTTP/1.1 ${status} ${statusText}\r\nContent-Type: application/json; charset=UTF-8\r\nVary: Origin\r\nVary: X-Origin\r\n\r\n` +
    `${json}\r\n`;
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  if (req.method !== 'POST' || req.url !== '/batch/gmail/v1') {
    res.writeHead(404).end();
    return;
  }
  const contentType = req.headers['content-type'] ?? '';
  const boundary = contentType.match(/boundary=([^;]+)/)?.[1] ?? '';
  const parts = parseRequestParts(body, boundary);
  seen.push({ authorization: req.headers.authorization, contentType, parts });
  if (outerStatus !== undefined) {
    const status = outerStatus;
    outerStatus = undefined;
    res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
    res.end(status === 401 ? gmailErrorBody(401, 'authError', 'Invalid Credentials') : gmailErrorBody(status, 'backendError', 'Backend Error'));
    return;
  }
  const out = `batch_${Math.random().toString(36).slice(2)}`;
  // Gmail may answer parts in any order: answer them reversed.
  const answers = [...parts].reverse().map((p) => {
    const contentId = (p.headers['content-id'] ?? '').replace(/^<|>$/g, '');
    const id = p.requestLine.match(/^GET \/gmail\/v1\/users\/me\/messages\/([^?\s]+)/)?.[1] ?? '';
    if (id.startsWith('missing')) return responsePart(out, contentId, 404, 'Not Found', gmailErrorBody(404, 'notFound', 'Requested entity was not found.'));
    if (id.startsWith('busy')) {
      return responsePart(out, contentId, 429, 'Too Many Requests', gmailErrorBody(429, 'rateLimitExceeded', 'Too many concurrent requests for user.'));
    }
    return responsePart(out, contentId, 200, 'OK', JSON.stringify({ id, threadId: `t-${id}`, labelIds: ['INBOX'], snippet: 'héllo — ünïcode' }, null, 2));
  });
  res.writeHead(200, { 'content-type': `multipart/mixed; boundary=${out}` });
  res.end(`${answers.join('')}--${out}--\r\n`);
}

function auth(): OAuth2Client {
  const a = new OAuth2Client({ clientId: 'test-client' });
  a.setCredentials({ access_token: 'batch-token', expiry_date: Date.now() + 3_600_000 });
  return a;
}

const path = (id: string): string => `/gmail/v1/users/me/messages/${id}?format=full`;

beforeAll(async () => {
  redis = await startTestRedis();
  server = createServer((req, res) => {
    void handle(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  rootUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await redis.stop();
});

describe('batchGet', () => {
  it('sends one multipart/mixed request and matches the answers to the requests by Content-ID', async () => {
    const ids = ['18c0000000000001', 'missing-2', '18c0000000000003', 'busy-4'];
    const parts = await batchGet({ rootUrl, auth: auth(), requests: ids.map((id) => ({ id: `m${id}`, path: path(id) })) });

    const req = seen.at(-1) as Seen;
    expect(req.authorization).toBe('Bearer batch-token');
    expect(req.contentType).toMatch(/^multipart\/mixed; boundary=/);
    expect(req.parts).toHaveLength(4);
    for (const p of req.parts) expect(p.headers['content-type']).toBe('application/http');
    expect(req.parts.map((p) => p.headers['content-id'])).toEqual(ids.map((id) => `<m${id}>`));
    expect(req.parts[0].requestLine).toBe('GET /gmail/v1/users/me/messages/18c0000000000001?format=full');

    expect(parts.map((p) => [p.id, p.status])).toEqual([
      ['m18c0000000000001', 200], ['mmissing-2', 404], ['m18c0000000000003', 200], ['mbusy-4', 429],
    ]);
    expect(parts[0].body).toEqual({ id: '18c0000000000001', threadId: 't-18c0000000000001', labelIds: ['INBOX'], snippet: 'héllo — ünïcode' });
    expect(parts[0].headers['content-type']).toBe('application/json; charset=UTF-8');
    expect(batchPartError(parts[0])).toBeUndefined();
    expect(batchPartError(parts[1])).toBeInstanceOf(GmailNotFoundError);
    const busy = batchPartError(parts[3]);
    expect(busy).toBeInstanceOf(GmailRateLimitError);
    expect((busy as GmailRateLimitError).reason).toBe('concurrent');
  });

  it('a failure of the whole batch is a classified error', async () => {
    outerStatus = 401;
    await expect(batchGet({ rootUrl, auth: auth(), requests: [{ id: 'a', path: path('a') }] })).rejects.toBeInstanceOf(GmailAuthError);
    outerStatus = 503;
    await expect(batchGet({ rootUrl, auth: auth(), requests: [{ id: 'a', path: path('a') }] })).rejects.toBeInstanceOf(GmailTransientError);
    // Nothing listening: a refused connection (fetch forbids port 1, so find a closed port).
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const closedPort = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    await expect(batchGet({ rootUrl: `http://127.0.0.1:${closedPort}/`, auth: auth(), requests: [{ id: 'a', path: path('a') }] }))
      .rejects.toBeInstanceOf(GmailTransientError);
  });

  it(`refuses more than ${MAX_BATCH_PARTS} parts before sending anything`, async () => {
    const before = seen.length;
    const requests = Array.from({ length: MAX_BATCH_PARTS + 1 }, (_, i) => ({ id: `x${i}`, path: path(`x${i}`) }));
    await expect(batchGet({ rootUrl, auth: auth(), requests })).rejects.toBeInstanceOf(BatchTooLargeError);
    expect(seen.length).toBe(before);
  });

  it('goes through the governor charged as one call per part', async () => {
    const conn = new Redis(redisOptionsFromUrl(redis.url));
    try {
      // Held per second too (Gmail's moving window), no batch may carry more than a second's budget: 100 units
      // under `2026`, so the batch sizes follow the burst, not the largest call.
      expect(governorPacing({ profile: '2026', scale: 1, maxCallUnits: 1000 }).burstUnits).toBe(100);
      // Against the minute alone, a burst as large as the batch keeps the sliding-minute bound, at the price of
      // throughput under `2026`.
      const gov = new QuotaGovernor(conn, { profile: '2026', scale: 1, maxInFlight: 2, keyPrefix: `batch-${process.pid}`, maxCallUnits: 1000, shortWindowMs: 0 });
      expect(gov.pacing.burstUnits).toBe(1000);
      expect(gov.pacing.unitsPerWindow).toBeLessThan(6000 - 1000);
      const ids = Array.from({ length: 50 }, (_, i) => `18d${String(i).padStart(13, '0')}`);
      const parts = await gov.call('user@example.com', 'messages.get',
        () => batchGet({ rootUrl, auth: auth(), requests: ids.map((id) => ({ id, path: path(id) })) }),
        { units: ids.length * gov.cost('messages.get') });
      expect(parts.map((p) => p.id)).toEqual(ids);
      expect(parts.every((p) => p.status === 200)).toBe(true);
      expect(gov.stats('user@example.com')).toMatchObject({ calls: 1, units: 1000 });
    } finally {
      await conn.quit();
    }
  });
});
