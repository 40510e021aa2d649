// Bytes -> text in a part's declared charset. Node's TextDecoder (full ICU: the WHATWG encodings,
// iso-2022-jp, shift_jis, gb18030, …) first, then iconv-lite for what WHATWG lacks (utf-7, cp437,
// cp850, …); an unknown or broken label falls back to UTF-8 when the bytes are valid UTF-8, else
// Windows-1252. Never throws.
import { isUtf8 } from 'node:buffer';
import { TextDecoder } from 'node:util';
import iconv from 'iconv-lite';

// Bounded: a message controls the labels, and each miss would otherwise stay cached forever.
const MAX_CACHED_LABELS = 256;
const textDecoders = new Map<string, TextDecoder | null>();

// Node 20's TextDecoder decodes the whole windows-1252 family (also labelled iso-8859-1, latin1,
// us-ascii) as ISO-8859-1, turning 0x80-0x9F (curly quotes, dashes, the euro sign) into C1
// controls; iconv-lite maps them right.
function decodeWindows1252(buf: Buffer): string {
  return iconv.decode(buf, 'windows-1252');
}

/**
 * Replaces C1 control characters (U+0080-U+009F, never text in mail) with what the same byte
 * means in Windows-1252: repairs text other decoders (postal-mime's, which uses TextDecoder)
 * produced from Windows-1252/Latin-1 input. Positions cp1252 leaves undefined stay as they are.
 */
export function repairC1(text: string): string {
  if (!/[\u0080-\u009f]/.test(text)) return text;
  return text.replace(/[\u0080-\u009f]/g, (c) => {
    const mapped = iconv.decode(Buffer.from([c.charCodeAt(0)]), 'windows-1252');
    return mapped === '\ufffd' ? c : mapped;
  });
}

function textDecoderFor(label: string): TextDecoder | null {
  let d = textDecoders.get(label);
  if (d !== undefined) return d;
  d = null;
  try {
    const candidate = new TextDecoder(label);
    // WHATWG maps iso-2022-kr, hz-gb-2312, iso-2022-cn to "replacement": one U+FFFD for the whole
    // body. Better to let iconv-lite or the fallback try.
    if (candidate.encoding !== 'replacement') d = candidate;
  } catch {
    // not a label this runtime knows
  }
  if (textDecoders.size >= MAX_CACHED_LABELS) textDecoders.clear();
  textDecoders.set(label, d);
  return d;
}

function iconvDecode(bytes: Uint8Array, label: string): string | null {
  try {
    if (!iconv.encodingExists(label)) return null;
    return iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), label);
  } catch {
    return null;
  }
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Valid UTF-8 as UTF-8, anything else as Windows-1252 (a superset of Latin-1 that maps every byte). */
function fallbackDecode(bytes: Uint8Array): string {
  const buf = asBuffer(bytes);
  return isUtf8(buf) ? buf.toString('utf8') : decodeWindows1252(buf);
}

function isAscii(buf: Buffer): boolean {
  for (let i = 0; i < buf.length; i++) if (buf[i] > 0x7f) return false;
  return true;
}

/** Lowercased charset label without quotes, comments or RFC 2231 language suffix. */
export function normalizeCharsetLabel(charset: string | null | undefined): string {
  if (!charset) return '';
  let c = charset.trim().toLowerCase();
  c = c.replace(/^["']+|["']+$/g, '');
  const star = c.indexOf('*');
  if (star >= 0) c = c.slice(0, star);
  return c.trim();
}

// Spellings seen in mail that neither TextDecoder nor iconv-lite know as written.
function aliasCandidates(label: string): string[] {
  const out: string[] = [];
  const bare = label.replace(/^(x-ms-|x-|cs)/, '');
  if (bare !== label) out.push(bare);
  const compact = bare.replace(/[\s._-]+/g, '');
  const cp = /^(?:cp|windows|ms|ibm)(\d+)$/.exec(compact);
  if (cp) out.push(`windows-${cp[1]}`, `cp${cp[1]}`);
  if (/^iso2022jp/.test(compact)) out.push('iso-2022-jp');
  if (compact === 'utf8' || compact === 'unicode11utf8') out.push('utf-8');
  if (compact === 'ksc56011987' || compact === 'uhc') out.push('euc-kr');
  if (compact !== bare) out.push(compact);
  return out;
}

/**
 * Decodes `bytes` declared as `charset`. No charset (RFC 2045 default us-ascii) and us-ascii
 * with 8-bit bytes are read as UTF-8 when valid (the usual mislabelling), else Windows-1252.
 */
export function decodeBytes(bytes: Uint8Array, charset?: string | null): string {
  const buf = asBuffer(bytes);
  if (buf.length === 0) return '';
  const label = normalizeCharsetLabel(charset);
  if (label === 'utf-8' || label === 'utf8') return buf.toString('utf8');
  if (label === '' || label === 'us-ascii' || label === 'ascii') {
    return isAscii(buf) ? buf.toString('latin1') : fallbackDecode(buf);
  }
  for (const candidate of [label, ...aliasCandidates(label)]) {
    const d = textDecoderFor(candidate);
    if (d?.encoding === 'windows-1252') return decodeWindows1252(buf);
    if (d) {
      try {
        return d.decode(buf);
      } catch {
        break;
      }
    }
    const viaIconv = iconvDecode(buf, candidate);
    if (viaIconv !== null) return viaIconv;
  }
  return fallbackDecode(buf);
}
