// Gmail's HTTP batch endpoint: many GETs in one multipart/mixed POST, each part charged as its own call.
// Format: https://developers.google.com/workspace/gmail/api/guides/batch
import { randomBytes } from 'node:crypto';
import type { OAuth2Client } from 'google-auth-library';
import { DEFAULT_GMAIL_TIMEOUT_MS } from './client';
import { BatchTooLargeError, classifyGmailError, type GmailError } from './errors';

/** Gmail rejects batches of more than 100 parts, and recommends at most 50 (larger ones get rate limited). */
export const MAX_BATCH_PARTS = 100;
export const RECOMMENDED_BATCH_PARTS = 50;

export type BatchRequest = {
  /** Echoed back as the part's id; also the part's Content-ID, so no whitespace, '<' or '>'. */
  id: string;
  /** Path and query below the host, e.g. `/gmail/v1/users/me/messages/ID?format=full`. */
  path: string;
};

export type BatchPart = {
  id: string;
  /** The inner response's HTTP status (each part succeeds or fails on its own). */
  status: number;
  /** Parsed JSON when the part is JSON, else its text. */
  body: unknown;
  /** The inner response's headers, names lower-cased. */
  headers: Record<string, string>;
};

/** The error a failed part stands for (rate limit, not found, …), or undefined for a 2xx part. */
export function batchPartError(part: BatchPart): GmailError | undefined {
  if (part.status >= 200 && part.status < 300) return undefined;
  return classifyGmailError({
    status: part.status,
    message: `batch part ${part.id} failed with status ${part.status}`,
    response: { status: part.status, data: part.body, headers: part.headers },
  });
}

/**
 * Sends the requests as one batch to `${rootUrl}batch/gmail/v1` and returns one result per request, in the
 * order of `requests`. A failure of the batch as a whole (network, 401, 429, 5xx) is thrown as a GmailError; a
 * failed part is returned with its status (see batchPartError).
 */
export async function batchGet(opts: {
  rootUrl: string;
  auth: OAuth2Client;
  requests: BatchRequest[];
  timeoutMs?: number;
  signal?: AbortSignal;
}): Promise<BatchPart[]> {
  const { requests } = opts;
  if (requests.length === 0) return [];
  if (requests.length > MAX_BATCH_PARTS) {
    throw new BatchTooLargeError(`a Gmail batch takes at most ${MAX_BATCH_PARTS} parts, got ${requests.length}`);
  }
  const ids = new Set<string>();
  for (const r of requests) {
    if (!/^[^\s<>]+$/.test(r.id) || ids.has(r.id)) throw new TypeError(`batch request id must be unique and header-safe: "${r.id}"`);
    if (!r.path.startsWith('/') || /[\s]/.test(r.path)) throw new TypeError(`batch request path must start with "/": "${r.path}"`);
    ids.add(r.id);
  }
  const root = opts.rootUrl.endsWith('/') ? opts.rootUrl : `${opts.rootUrl}/`;
  const url = `${root}batch/gmail/v1`;
  const boundary = `batch_${randomBytes(12).toString('hex')}`;
  const body = requests
    .map((r) => `--${boundary}\r\nContent-Type: application/http\r\nContent-ID: <${r.id}>\r\n\r\nGET ${r.path}\r\n\r\n`)
    .join('') + `--${boundary}--\r\n`;

  let headers: Headers;
  try {
    // Refreshes the access token when it has expired; invalid_grant surfaces here.
    headers = new Headers(await opts.auth.getRequestHeaders(url));
  } catch (e) {
    throw classifyGmailError(e);
  }
  headers.set('content-type', `multipart/mixed; boundary=${boundary}`);
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? DEFAULT_GMAIL_TIMEOUT_MS);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;

  let res: Response;
  let text: string;
  try {
    res = await fetch(url, { method: 'POST', headers, body, signal });
    text = await res.text();
  } catch (e) {
    if (opts.signal?.aborted) throw opts.signal.reason;
    throw classifyGmailError(e);
  }
  if (!res.ok) {
    let data: unknown = text;
    try {
      data = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    throw classifyGmailError({ status: res.status, message: `Gmail batch failed with status ${res.status}`, response: { status: res.status, data, headers: res.headers } });
  }
  const respBoundary = boundaryOf(res.headers.get('content-type'));
  if (!respBoundary) throw classifyGmailError(new Error(`Gmail batch answered ${res.headers.get('content-type')}, not multipart/mixed`));
  const byId = new Map<string, BatchPart>();
  for (const part of parseMultipart(text, respBoundary)) {
    const parsed = parsePart(part);
    if (parsed) byId.set(parsed.id, parsed);
  }
  return requests.map((r) => byId.get(r.id) ?? {
    // A part Gmail did not answer: report it as a transient failure of that part so the caller retries it.
    id: r.id, status: 503, headers: {}, body: { error: { code: 503, message: 'no response part for this request' } },
  });
}

function boundaryOf(contentType: string | null): string | undefined {
  if (!contentType || !/^multipart\/mixed/i.test(contentType)) return undefined;
  const m = contentType.match(/boundary=(?:"([^"]+)"|([^;\s]+))/i);
  return m ? (m[1] ?? m[2]) : undefined;
}

/** The body parts between `--boundary` delimiter lines (RFC 2046 §5.1.1), CRLF or bare LF. */
function parseMultipart(text: string, boundary: string): string[] {
  const parts: string[] = [];
  const delimiter = `--${boundary}`;
  let pos = text.startsWith(delimiter) ? 0 : text.indexOf(`\n${delimiter}`);
  if (pos < 0) return parts;
  if (pos > 0) pos += 1;
  for (;;) {
    const afterDelim = pos + delimiter.length;
    if (text.startsWith('--', afterDelim)) break; // close delimiter
    const lineEnd = text.indexOf('\n', afterDelim);
    if (lineEnd < 0) break;
    const next = text.indexOf(`\n${delimiter}`, lineEnd);
    const end = next < 0 ? text.length : next;
    parts.push(text.slice(lineEnd + 1, end).replace(/\r$/, ''));
    if (next < 0) break;
    pos = next + 1;
  }
  return parts;
}

function splitHead(text: string): { head: string[]; rest: string } {
  const m = /\r?\n\r?\n/.exec(text);
  if (!m) return { head: text.split(/\r?\n/), rest: '' };
  return { head: text.slice(0, m.index).split(/\r?\n/), rest: text.slice(m.index + m[0].length) };
}

function headerMap(lines: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return out;
}

function parsePart(part: string): BatchPart | undefined {
  const outer = splitHead(part);
  const contentId = headerMap(outer.head)['content-id'];
  const idMatch = contentId?.match(/^<?response-(.+?)>?$/);
  if (!idMatch) return undefined;
  const inner = splitHead(outer.rest);
  const statusMatch = inner.head[0]?.match(/^HTTP\/[\d.]+\s+(\d{3})/);
  if (!statusMatch) return undefined;
  const headers = headerMap(inner.head.slice(1));
  const raw = inner.rest.replace(/\r?\n$/, '');
  let body: unknown = raw;
  if (/json/i.test(headers['content-type'] ?? '') || /^\s*[{[]/.test(raw)) {
    try {
      body = JSON.parse(raw);
    } catch {
      // keep the text
    }
  }
  return { id: idMatch[1], status: Number(statusMatch[1]), headers, body };
}
