// Header values: RFC 2047 encoded words decoded by postal-mime's decodeWords (maintained, knows
// the charsets TextDecoder knows), plus the small parameter parsing MIME needs.
import { decodeWords } from 'postal-mime';
import { decodeBytes, repairC1 } from './charset';

// A value longer than this is cut before decoding: no header a user reads is that long, and it
// bounds the work a hostile message can ask for.
const MAX_HEADER_LENGTH = 256 * 1024;

export function stripNul(s: string): string {
  return s.indexOf('\u0000') >= 0 ? s.replaceAll('\u0000', '') : s;
}

/**
 * Unfolds and decodes a header value. Gmail hands some values already decoded and others still
 * as encoded words, so every value that contains "=?" goes through the decoder; a plain value
 * comes back unchanged.
 */
export function decodeHeaderValue(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  let v = value.length > MAX_HEADER_LENGTH ? value.slice(0, MAX_HEADER_LENGTH) : value;
  v = stripNul(v);
  if (v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0) v = v.replace(/\r?\n(?=[ \t])/g, '').replace(/[\r\n]+/g, ' ');
  if (v.indexOf('=?') >= 0) {
    try {
      v = repairC1(stripNul(decodeWords(v)));
    } catch {
      // keep the undecoded value: readable beats missing
    }
  }
  return v.trim();
}

export type HeaderParams = { value: string; params: Map<string, string> };

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** RFC 2231 value bytes: %XX escapes, other characters as their UTF-8 bytes. */
function pushPercentDecoded(text: string, out: number[]): void {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 37 /* % */ && i + 2 < text.length && isHex(text.charCodeAt(i + 1)) && isHex(text.charCodeAt(i + 2))) {
      out.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 0x80) {
      out.push(c);
    } else {
      for (const b of Buffer.from(text[i], 'utf8')) out.push(b);
    }
  }
}

/**
 * Splits `type/subtype; a=1; b="x; y"` into the value and lowercased parameters, with RFC 2231
 * continuations (name*0, name*1) and extended values (name*=utf-8''%E2%82%AC) joined and decoded.
 */
export function parseHeaderParams(header: string | null | undefined): HeaderParams {
  const params = new Map<string, string>();
  if (!header) return { value: '', params };
  const h = header.length > MAX_HEADER_LENGTH ? header.slice(0, MAX_HEADER_LENGTH) : header;
  const pieces: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < h.length; i++) {
    const ch = h[i];
    if (ch === '"') quoted = !quoted;
    else if (ch === '\\' && quoted && i + 1 < h.length) {
      current += h[++i];
      continue;
    }
    if (ch === ';' && !quoted) {
      pieces.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  pieces.push(current);
  const value = (pieces.shift() ?? '').trim().toLowerCase();
  const continuations = new Map<string, Array<{ index: number; text: string; extended: boolean }>>();
  for (const piece of pieces) {
    const eq = piece.indexOf('=');
    if (eq <= 0) continue;
    const key = piece.slice(0, eq).trim().toLowerCase();
    let val = piece.slice(eq + 1).trim();
    if (val.length >= 2 && val.startsWith('"') && val.endsWith('"')) val = val.slice(1, -1);
    else val = val.replaceAll('"', '');
    const m = /^([^*]+)\*(\d+)?(\*)?$/.exec(key);
    if (m) {
      const list = continuations.get(m[1]) ?? [];
      list.push({ index: m[2] === undefined ? 0 : Number(m[2]), text: val, extended: m[3] === '*' || (m[2] === undefined && key.endsWith('*')) });
      continuations.set(m[1], list);
    } else if (!params.has(key)) {
      params.set(key, val);
    }
  }
  for (const [name, list] of continuations) {
    list.sort((a, b) => a.index - b.index);
    let charset = 'utf-8';
    const bytes: number[] = [];
    list.forEach((part, i) => {
      let text = part.text;
      if (part.extended && i === 0) {
        const q1 = text.indexOf("'");
        const q2 = q1 >= 0 ? text.indexOf("'", q1 + 1) : -1;
        if (q1 >= 0 && q2 > q1) {
          charset = text.slice(0, q1) || 'utf-8';
          text = text.slice(q2 + 1);
        }
      }
      if (part.extended) pushPercentDecoded(text, bytes);
      else for (const b of Buffer.from(text, 'utf8')) bytes.push(b);
    });
    params.set(name, decodeBytes(Uint8Array.from(bytes), charset));
  }
  return { value, params };
}
