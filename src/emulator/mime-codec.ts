/**
 * Charset and MIME encodings used to build and read messages: RFC 2047 encoded words, quoted-printable
 * (RFC 2045 §6.7), base64 bodies, RFC 2231 parameters, and charsets Node lacks (ISO-2022-JP encoding).
 */
import { TextDecoder } from 'node:util';
import iconv from 'iconv-lite';

const CRLF = '\r\n';

function normCharset(charset: string): string {
  const c = charset.trim().toLowerCase();
  if (c === 'utf8') return 'utf-8';
  if (c === 'latin1' || c === 'iso8859-1' || c === 'iso_8859-1') return 'iso-8859-1';
  if (c === 'cp1252') return 'windows-1252';
  return c;
}

/**
 * ISO-2022-JP (RFC 1468) is EUC-JP's JIS X 0208 pairs with the high bit cleared, between ESC $ B and
 * ESC ( B. iconv-lite has EUC-JP but no ISO-2022-JP, so build it from that.
 */
function encodeIso2022Jp(text: string): Buffer {
  const out: number[] = [];
  let run = '';
  const flush = (): void => {
    if (!run) return;
    const euc = iconv.encode(run, 'euc-jp');
    out.push(0x1b, 0x24, 0x42);
    for (let i = 0; i < euc.length; i++) {
      const b = euc[i];
      if (b < 0xa1 || b > 0xfe) throw new Error(`not representable in ISO-2022-JP: ${JSON.stringify(run)}`);
      out.push(b & 0x7f);
    }
    out.push(0x1b, 0x28, 0x42);
    run = '';
  };
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp < 0x80) {
      flush();
      out.push(cp);
    } else {
      run += ch;
    }
  }
  flush();
  return Buffer.from(out);
}

export function encodeText(text: string, charset: string): Buffer {
  const c = normCharset(charset);
  if (c === 'utf-8' || c === 'us-ascii') return Buffer.from(text, 'utf8');
  if (c === 'iso-2022-jp') return encodeIso2022Jp(text);
  // Latin-1 is the first 256 code points; Node encodes that natively.
  // eslint-disable-next-line no-control-regex
  if (c === 'iso-8859-1' && /^[\u0000-\u00ff]*$/.test(text)) return Buffer.from(text, 'latin1');
  return iconv.encode(text, c);
}

const decoders = new Map<string, TextDecoder | null>();

/** Decodes bytes in a declared charset; unknown charsets fall back to UTF-8 then Latin-1. */
export function decodeText(buf: Buffer, charset: string | undefined): string {
  const c = normCharset(charset || 'us-ascii');
  if (c === 'utf-8' || c === 'us-ascii') return buf.toString('utf8');
  if (iconv.encodingExists(c)) return iconv.decode(buf, c);
  let d = decoders.get(c);
  if (d === undefined) {
    try {
      d = new TextDecoder(c);
    } catch {
      d = null;
    }
    decoders.set(c, d);
  }
  if (d) return d.decode(buf);
  const utf = buf.toString('utf8');
  return utf.includes('\ufffd') ? buf.toString('latin1') : utf;
}

// RFC 2047 §5 (3): in a phrase only these stay literal inside a Q-encoded word.
const Q_SAFE = /[A-Za-z0-9!*+\-/]/;

function qEncodeBytes(bytes: Buffer): string {
  let s = '';
  for (const b of bytes) {
    if (b === 0x20) s += '_';
    else {
      const ch = String.fromCharCode(b);
      s += b < 0x80 && Q_SAFE.test(ch) ? ch : '=' + b.toString(16).toUpperCase().padStart(2, '0');
    }
  }
  return s;
}

/**
 * Encodes text as one or more RFC 2047 encoded words, each ≤ 75 characters and each holding whole
 * characters (so every word decodes on its own), joined by folding whitespace, which decoders drop
 * between adjacent encoded words (RFC 2047 §6.2).
 */
export function encodeWords(text: string, charset: string, enc: 'B' | 'Q'): string {
  const prefix = `=?${charset}?${enc}?`;
  const render = (chunk: string): string => {
    const bytes = encodeText(chunk, charset);
    return prefix + (enc === 'B' ? bytes.toString('base64') : qEncodeBytes(bytes)) + '?=';
  };
  const words: string[] = [];
  let chunk = '';
  for (const ch of text) {
    const next = chunk + ch;
    if (chunk && render(next).length > 75) {
      words.push(render(chunk));
      chunk = ch;
    } else {
      chunk = next;
    }
  }
  if (chunk) words.push(render(chunk));
  return words.join(CRLF + ' ');
}

/** Folds an unstructured ASCII header value at spaces so lines stay ≤ 78 characters. */
export function foldHeader(name: string, value: string): string {
  let line = `${name}: `;
  const out: string[] = [];
  const tokens = value.split(/(?= )/);
  for (const t of tokens) {
    if (line.length + t.length > 78 && line.trim().length > name.length + 1 && t.startsWith(' ')) {
      out.push(line);
      line = t;
    } else {
      line += t;
    }
  }
  out.push(line);
  return out.join(CRLF);
}

const ENCODED_WORD = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;

/** Decodes RFC 2047 encoded words in a header value (whitespace between adjacent words dropped). */
export function decodeWords(value: string): string {
  if (!value.includes('=?')) return value;
  const collapsed = value.replace(/(=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=)\s+(?==\?[^?\s]+\?[BbQq]\?[^?\s]*\?=)/g, '$1');
  return collapsed.replace(ENCODED_WORD, (_m, cs: string, enc: string, data: string) => {
    const charset = cs.split('*')[0];
    let bytes: Buffer;
    if (enc.toUpperCase() === 'B') {
      bytes = Buffer.from(data, 'base64');
    } else {
      bytes = Buffer.from(
        data.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_x, h: string) => String.fromCharCode(parseInt(h, 16))),
        'latin1',
      );
    }
    return decodeText(bytes, charset);
  });
}

const QP_LITERAL: boolean[] = Array.from({ length: 256 }, (_x, b) => (b >= 33 && b <= 126 && b !== 61) || b === 0x20 || b === 0x09);
const QP_HEX: string[] = Array.from({ length: 256 }, (_x, b) => '=' + b.toString(16).toUpperCase().padStart(2, '0'));

/** Quoted-printable body encoding (RFC 2045 §6.7), CRLF line breaks, soft breaks at 76. */
export function qpEncode(bytes: Buffer): string {
  const out: string[] = [];
  let line = '';
  let lastByte = -1;
  const endLine = (): void => {
    // Trailing whitespace before a hard break must be encoded (rule 3).
    if (lastByte === 0x20 || lastByte === 0x09) line = line.slice(0, -1) + QP_HEX[lastByte];
    out.push(line);
    line = '';
    lastByte = -1;
  };
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0x0d && bytes[i + 1] === 0x0a) continue;
    if (b === 0x0a) {
      endLine();
      continue;
    }
    const tok = QP_LITERAL[b] ? String.fromCharCode(b) : QP_HEX[b];
    if (line.length + tok.length > 75) {
      out.push(line + '=');
      line = '';
    }
    line += tok;
    lastByte = QP_LITERAL[b] ? b : -1;
  }
  endLine();
  return out.join(CRLF);
}

export function qpDecode(buf: Buffer): Buffer {
  const out = Buffer.allocUnsafe(buf.length);
  let o = 0;
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i];
    if (b === 0x3d) {
      const n1 = buf[i + 1];
      if (n1 === 0x0d && buf[i + 2] === 0x0a) {
        i += 2;
        continue;
      }
      if (n1 === 0x0a) {
        i += 1;
        continue;
      }
      const hex = String.fromCharCode(n1 ?? 0, buf[i + 2] ?? 0);
      if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
        out[o++] = parseInt(hex, 16);
        i += 2;
        continue;
      }
    }
    out[o++] = b;
  }
  return out.subarray(0, o);
}

/** Base64 in 76-character lines, as MIME bodies carry it. */
export function base64Lines(bytes: Buffer): string {
  const b64 = bytes.toString('base64');
  const parts: string[] = [];
  for (let i = 0; i < b64.length; i += 76) parts.push(b64.slice(i, i + 76));
  return parts.join(CRLF);
}

/** RFC 2231 extended parameter value (charset''percent-encoded). */
export function rfc2231(value: string): string {
  const bytes = Buffer.from(value, 'utf8');
  let s = "UTF-8''";
  for (const b of bytes) {
    const ch = String.fromCharCode(b);
    s += b < 0x80 && /[A-Za-z0-9!#$&+\-.^_`|~]/.test(ch) ? ch : '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return s;
}

/** Gmail's base64url keeps the '=' padding (clients decode it with urlsafe decoders as is). */
export function base64url(buf: Buffer): string {
  const s = buf.toString('base64url');
  const pad = (4 - (s.length % 4)) % 4;
  return pad ? s + '='.repeat(pad) : s;
}
