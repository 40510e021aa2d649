/**
 * Gmail's batch endpoint format (https://developers.google.com/workspace/gmail/api/guides/batch):
 * a multipart/mixed body whose parts (Content-Type: application/http) each hold one HTTP request;
 * the answer is multipart/mixed with one application/http part per request, Content-ID
 * `response-<request Content-ID>`.
 */
import { randomBytes } from 'node:crypto';
import { parseHeaders, parseParams } from './mime-parser';
import type { ApiResponse } from './errors';

export const MAX_BATCH_PARTS = 100;

export type BatchPart = {
  contentId: string | null;
  method: string;
  /** Path and query, origin stripped. */
  target: string;
  headers: Record<string, string>;
};

export function batchBoundary(contentType: string | undefined): string | null {
  if (!contentType) return null;
  const { value, params } = parseParams(contentType);
  if (value.toLowerCase() !== 'multipart/mixed') return null;
  return params['boundary'] ?? null;
}

function splitOnce(text: string, sep: RegExp): [string, string] {
  const m = sep.exec(text);
  if (!m) return [text, ''];
  return [text.slice(0, m.index), text.slice(m.index + m[0].length)];
}

/** Splits a batch body into its requests; null when it is not a well-formed batch. */
export function parseBatch(body: Buffer, boundary: string): BatchPart[] | null {
  const text = body.toString('utf8');
  const delim = '--' + boundary;
  const chunks = text.split(new RegExp(`(?:^|\\r?\\n)${delim.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  const parts: BatchPart[] = [];
  for (let i = 1; i < chunks.length; i++) {
    const chunk = chunks[i];
    if (chunk.startsWith('--')) break;
    const [outerHead, inner] = splitOnce(chunk.replace(/^[ \t]*\r?\n/, ''), /\r?\n\r?\n/);
    const outer = parseHeaders(outerHead);
    const cid = outer.find((h) => h.name.toLowerCase() === 'content-id')?.value ?? null;
    const [reqHead] = splitOnce(inner.replace(/^\s+/, ''), /\r?\n\r?\n/);
    const lines = reqHead.split(/\r?\n/);
    const m = /^([A-Z]+)\s+(\S+)(?:\s+HTTP\/[\d.]+)?\s*$/.exec(lines[0] ?? '');
    if (!m) return null;
    let target = m[2];
    if (/^https?:\/\//i.test(target)) {
      const u = new URL(target);
      target = u.pathname + u.search;
    }
    const headers: Record<string, string> = {};
    for (const h of parseHeaders(lines.slice(1).join('\r\n'))) headers[h.name.toLowerCase()] = h.value;
    parts.push({ contentId: cid ? cid.replace(/^<|>$/g, '') : null, method: m[1], target, headers });
  }
  return parts;
}

const REASONS: Record<number, string> = {
  200: 'OK',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function formatBatch(answers: Array<{ contentId: string; res: ApiResponse }>): { boundary: string; body: Buffer } {
  const boundary = 'batch_' + randomBytes(12).toString('base64url');
  const chunks: Buffer[] = [];
  for (const { contentId, res } of answers) {
    const body = typeof res.body === 'string' ? Buffer.from(res.body, 'utf8') : res.body;
    let head = `--${boundary}\r\nContent-Type: application/http\r\nContent-ID: <response-${contentId}>\r\n\r\n`;
    head += `HTTP/1.1 ${res.status} ${REASONS[res.status] ?? 'Status'}\r\n`;
    head += `Content-Type: ${res.contentType ?? 'application/json; charset=UTF-8'}\r\n`;
    head += 'Vary: Origin\r\nVary: X-Origin\r\nVary: Referer\r\n';
    for (const [k, v] of Object.entries(res.headers ?? {})) head += `${k}: ${v}\r\n`;
    head += `Content-Length: ${body.length}\r\n\r\n`;
    chunks.push(Buffer.from(head, 'utf8'), body, Buffer.from('\r\n', 'latin1'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`, 'latin1'));
  return { boundary, body: Buffer.concat(chunks) };
}
