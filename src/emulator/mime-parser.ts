/**
 * A small, forgiving MIME parser: enough to turn RFC 822 bytes into Gmail's MessagePart tree
 * (headers per part, decoded leaf bodies, multipart children). Malformed input degrades to a leaf.
 */
import { decodeWords, qpDecode } from './mime-codec';

export type Header = { name: string; value: string };

export type MimePart = {
  headers: Header[];
  /** Lower-cased type/subtype; text/plain when absent (RFC 2045 §5.2). */
  mimeType: string;
  params: Record<string, string>;
  /** Decoded file name from Content-Disposition or Content-Type name, '' when none. */
  filename: string;
  disposition: string;
  /** Leaf body after Content-Transfer-Encoding decoding (empty for multiparts). */
  body: Buffer;
  parts: MimePart[];
};

function findHeaderEnd(buf: Buffer, from: number): { headerEnd: number; bodyStart: number } {
  if (buf[from] === 0x0a) return { headerEnd: from, bodyStart: from + 1 };
  if (buf[from] === 0x0d && buf[from + 1] === 0x0a) return { headerEnd: from, bodyStart: from + 2 };
  const crlf = buf.indexOf('\r\n\r\n', from, 'latin1');
  const lf = buf.indexOf('\n\n', from, 'latin1');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { headerEnd: crlf, bodyStart: crlf + 4 };
  if (lf >= 0) return { headerEnd: lf, bodyStart: lf + 2 };
  return { headerEnd: buf.length, bodyStart: buf.length };
}

/** Unfolds header lines (CRLF before whitespace removed) and splits name: value. */
export function parseHeaders(text: string): Header[] {
  const out: Header[] = [];
  const lines = text.split(/\r?\n/);
  let cur: string | null = null;
  const flush = (): void => {
    if (cur === null) return;
    const i = cur.indexOf(':');
    if (i > 0) out.push({ name: cur.slice(0, i).trim(), value: cur.slice(i + 1).replace(/^[ \t]+/, '').replace(/[ \t]+$/, '') });
    cur = null;
  };
  for (const line of lines) {
    if (/^[ \t]/.test(line) && cur !== null) cur += line;
    else {
      flush();
      cur = line;
    }
  }
  flush();
  return out;
}

/** Parses `type/subtype; a=b; c="d"` (and RFC 2231 `x*=charset''pct` / continuations). */
export function parseParams(value: string): { value: string; params: Record<string, string> } {
  const params: Record<string, string> = {};
  if (!value.includes(';')) return { value: value.trim(), params };
  const continuations: Record<string, Array<{ n: number; v: string; ext: boolean }>> = {};
  const segs: string[] = [];
  let cur = '';
  let inQ = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (ch === '"' && value[i - 1] !== '\\') inQ = !inQ;
    if (ch === ';' && !inQ) {
      segs.push(cur);
      cur = '';
    } else cur += ch;
  }
  segs.push(cur);
  const main = segs.shift()?.trim() ?? '';
  for (const seg of segs) {
    const eq = seg.indexOf('=');
    if (eq < 0) continue;
    let key = seg.slice(0, eq).trim().toLowerCase();
    let v = seg.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    const m = /^(.+?)\*(\d+)?(\*)?$/.exec(key);
    if (m) {
      key = m[1];
      const n = m[2] !== undefined ? Number(m[2]) : 0;
      const ext = m[3] === '*' || (m[2] === undefined && seg.slice(0, eq).trim().endsWith('*'));
      (continuations[key] ??= []).push({ n, v, ext });
    } else {
      params[key] = v;
    }
  }
  for (const [key, pieces] of Object.entries(continuations)) {
    pieces.sort((a, b) => a.n - b.n);
    let charset = 'utf-8';
    const bytes: number[] = [];
    pieces.forEach((p, idx) => {
      let v = p.v;
      if (p.ext) {
        if (idx === 0) {
          const q = v.split("'");
          if (q.length >= 3) {
            charset = q[0] || 'utf-8';
            v = q.slice(2).join("'");
          }
        }
        const decoded = v.replace(/%([0-9A-Fa-f]{2})/g, (_x, h: string) => String.fromCharCode(parseInt(h, 16)));
        for (let i = 0; i < decoded.length; i++) bytes.push(decoded.charCodeAt(i) & 0xff);
      } else {
        for (const b of Buffer.from(v, 'utf8')) bytes.push(b);
      }
    });
    const buf = Buffer.from(bytes);
    params[key] = charset.toLowerCase() === 'utf-8' ? buf.toString('utf8') : buf.toString('latin1');
  }
  return { value: main, params };
}

function headerValue(headers: Header[], name: string): string | undefined {
  const n = name.toLowerCase();
  for (const h of headers) if (h.name.toLowerCase() === n) return h.value;
  return undefined;
}

function decodeBody(body: Buffer, cte: string | undefined): Buffer {
  const e = (cte ?? '').trim().toLowerCase();
  // Node's base64 decoder skips line breaks and other non-alphabet bytes by itself.
  if (e === 'base64') return Buffer.from(body.toString('latin1'), 'base64');
  if (e === 'quoted-printable') return qpDecode(body);
  return body;
}

function splitMultipart(body: Buffer, boundary: string): Buffer[] {
  const delim = Buffer.from('--' + boundary, 'latin1');
  const positions: number[] = [];
  let i = 0;
  while (i <= body.length) {
    const at = body.indexOf(delim, i);
    if (at < 0) break;
    if (at === 0 || body[at - 1] === 0x0a) positions.push(at);
    i = at + delim.length;
  }
  const parts: Buffer[] = [];
  for (let k = 0; k < positions.length; k++) {
    const at = positions[k];
    const after = at + delim.length;
    if (body[after] === 0x2d && body[after + 1] === 0x2d) break;
    let start = body.indexOf(0x0a, after);
    if (start < 0) break;
    start += 1;
    let end = k + 1 < positions.length ? positions[k + 1] : body.length;
    // The line break before a delimiter belongs to the delimiter (RFC 2046 §5.1.1).
    if (end > start && body[end - 1] === 0x0a) end -= 1;
    if (end > start && body[end - 1] === 0x0d) end -= 1;
    parts.push(body.subarray(start, Math.max(start, end)));
  }
  return parts;
}

function parsePart(buf: Buffer, depth: number): MimePart {
  const { headerEnd, bodyStart } = findHeaderEnd(buf, 0);
  const rawHeaders = buf.subarray(0, headerEnd);
  // Header bytes should be ASCII; 8-bit ones are most often UTF-8.
  const headerText = rawHeaders.toString('utf8');
  const headers = parseHeaders(headerText);
  const body = buf.subarray(bodyStart);
  const ct = parseParams(headerValue(headers, 'content-type') ?? 'text/plain');
  const mimeType = (ct.value || 'text/plain').toLowerCase();
  const disp = parseParams(headerValue(headers, 'content-disposition') ?? '');
  const rawName = disp.params['filename'] ?? ct.params['name'] ?? '';
  const part: MimePart = {
    headers,
    mimeType,
    params: ct.params,
    filename: rawName ? decodeWords(rawName) : '',
    disposition: disp.value.toLowerCase(),
    body: Buffer.alloc(0),
    parts: [],
  };
  if (mimeType.startsWith('multipart/') && ct.params['boundary'] && depth < 40) {
    for (const p of splitMultipart(body, ct.params['boundary'])) part.parts.push(parsePart(p, depth + 1));
    return part;
  }
  part.body = decodeBody(body, headerValue(headers, 'content-transfer-encoding'));
  return part;
}

export function parseMime(raw: Buffer): MimePart {
  return parsePart(raw, 0);
}

export function getHeader(part: MimePart, name: string): string | undefined {
  return headerValue(part.headers, name);
}
