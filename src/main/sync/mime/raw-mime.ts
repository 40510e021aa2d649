// The MIME structure of an original message (Gmail's format=raw: RFC 822 bytes), read without copying: each part's
// headers and the byte range of its body as sent (still transfer-encoded). The sync uses it twice: to read the
// message like a format=full payload (parse-message.ts), and to cut the original into pieces for the store, each
// attachment's encoded bytes a piece of its own, so an attachment sent twice is stored once (db/sources.ts) and the
// pieces put back together are the original, byte for byte.
//
// Forgiving like mail readers are (RFC 2046 §5.1): a multipart without its boundary, a missing closing delimiter or
// a header block without an end still yield every byte as some part. Bounded: no recursion, at most MAX_DEPTH levels
// and MAX_PARTS parts (the rest stays inside its parent, as a leaf).

export type RawHeader = { name: string; value: string };

export type RawPart = {
  /** Gmail's partId: '' for the message, '0', '1' for its parts, '1.0' below those. */
  partId: string;
  /** Unfolded, not decoded (RFC 2047 words as sent), in order. */
  headers: RawHeader[];
  /** Lower-cased type/subtype from Content-Type; text/plain when absent. */
  mimeType: string;
  /** The body as sent: [bodyStart, bodyEnd) of the original. */
  bodyStart: number;
  bodyEnd: number;
  /** Content-Transfer-Encoding, lower-cased; null when absent (7bit). */
  transferEncoding: string | null;
  /** Children of a multipart; null for a leaf. */
  parts: RawPart[] | null;
};

const MAX_DEPTH = 40;
const MAX_PARTS = 5_000;
/** A header block longer than this is not headers (a message without one): the rest is body. */
const MAX_HEADER_BYTES = 1024 * 1024;

const LF = 0x0a;
const CR = 0x0d;

/** End of the header block starting at `from` and where the body starts (after the empty line). */
function headerBlockEnd(src: Buffer, from: number, to: number): { headerEnd: number; bodyStart: number } {
  if (src[from] === LF) return { headerEnd: from, bodyStart: from + 1 };
  if (src[from] === CR && src[from + 1] === LF) return { headerEnd: from, bodyStart: from + 2 };
  const limit = Math.min(to, from + MAX_HEADER_BYTES);
  let i = src.indexOf(LF, from);
  while (i >= 0 && i < limit) {
    const next = i + 1;
    if (next < to && src[next] === LF) return { headerEnd: i + 1, bodyStart: next + 1 };
    if (next + 1 < to && src[next] === CR && src[next + 1] === LF) return { headerEnd: i + 1, bodyStart: next + 2 };
    i = src.indexOf(LF, next);
  }
  return { headerEnd: Math.min(to, limit), bodyStart: Math.min(to, limit) };
}

function parseHeaderLines(text: string): RawHeader[] {
  const out: RawHeader[] = [];
  let cur: string | null = null;
  const flush = (): void => {
    if (cur === null) return;
    const colon = cur.indexOf(':');
    if (colon > 0) out.push({ name: cur.slice(0, colon).trim(), value: cur.slice(colon + 1).trim() });
    cur = null;
  };
  for (const line of text.split(/\r?\n/)) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && cur !== null) cur += line;
    else {
      flush();
      cur = line;
    }
  }
  flush();
  return out;
}

export function headerValue(headers: readonly RawHeader[], name: string): string | null {
  for (const h of headers) if (h.name.toLowerCase() === name) return h.value;
  return null;
}

/** The boundary parameter of a multipart Content-Type (quoted or not), null when there is none. */
function boundaryOf(contentType: string): string | null {
  const m = /;\s*boundary\s*=\s*(?:"([^"]*)"|([^\s;]+))/i.exec(contentType);
  const b = m ? (m[1] ?? m[2]) : null;
  return b && b.length <= 200 ? b : null;
}

/**
 * The bodies between delimiter lines of a multipart body in [from, to): [start, end) of each part, the line break
 * before a delimiter belonging to the delimiter (RFC 2046 §5.1.1). The preamble and epilogue are left out.
 */
function splitMultipart(src: Buffer, from: number, to: number, boundary: string): Array<[number, number]> {
  const delim = Buffer.from(`--${boundary}`, 'latin1');
  const out: Array<[number, number]> = [];
  let partStart = -1;
  let i = from;
  while (i < to) {
    const at = src.indexOf(delim, i);
    if (at < 0 || at + delim.length > to) break;
    i = at + delim.length;
    if (at !== from && src[at - 1] !== LF) continue; // not at the start of a line
    const closing = src[i] === 0x2d && src[i + 1] === 0x2d;
    if (partStart >= 0) {
      let end = at;
      if (end > partStart && src[end - 1] === LF) end--;
      if (end > partStart && src[end - 1] === CR) end--;
      out.push([partStart, Math.max(partStart, end)]);
    }
    if (closing) return out;
    const eol = src.indexOf(LF, i);
    if (eol < 0 || eol >= to) return out;
    partStart = eol + 1;
    i = partStart;
  }
  // No closing delimiter: the last part runs to the end.
  if (partStart >= 0 && partStart <= to) out.push([partStart, to]);
  return out;
}

/** Reads the MIME tree of `src`. Never throws on any input. */
export function scanMime(src: Buffer): RawPart {
  const root = makePart(src, '', 0, src.length);
  let count = 1;
  const stack: Array<{ part: RawPart; depth: number }> = [{ part: root, depth: 0 }];
  while (stack.length > 0) {
    const { part, depth } = stack.pop()!;
    if (!part.mimeType.startsWith('multipart/') || depth >= MAX_DEPTH) continue;
    const boundary = boundaryOf(headerValue(part.headers, 'content-type') ?? '');
    if (boundary === null) continue;
    const ranges = splitMultipart(src, part.bodyStart, part.bodyEnd, boundary);
    if (ranges.length === 0 || count + ranges.length > MAX_PARTS) continue;
    count += ranges.length;
    part.parts = ranges.map(([s, e], i) => makePart(src, part.partId === '' ? String(i) : `${part.partId}.${i}`, s, e));
    for (const child of part.parts) stack.push({ part: child, depth: depth + 1 });
  }
  return root;
}

function makePart(src: Buffer, partId: string, start: number, end: number): RawPart {
  const { headerEnd, bodyStart } = headerBlockEnd(src, start, end);
  // Header bytes should be ASCII; 8-bit ones are most often UTF-8 (the decoder repairs the rest).
  const headers = parseHeaderLines(src.toString('utf8', start, headerEnd));
  const ct = headerValue(headers, 'content-type');
  const mimeType = (ct?.split(';')[0].trim().toLowerCase() || 'text/plain').replace(/\s+/g, '');
  const cte = headerValue(headers, 'content-transfer-encoding');
  return {
    partId,
    headers,
    mimeType,
    bodyStart: Math.min(bodyStart, end),
    bodyEnd: end,
    transferEncoding: cte ? cte.trim().toLowerCase() : null,
    parts: null,
  };
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** Quoted-printable (RFC 2045 §6.7): soft line breaks removed, =XX decoded, a broken escape kept as is. */
function decodeQuotedPrintable(bytes: Buffer): Buffer {
  const out = Buffer.allocUnsafe(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c !== 0x3d) {
      out[n++] = c;
      continue;
    }
    // Soft line break: "=" then optional trailing blanks then the line end.
    let j = i + 1;
    while (j < bytes.length && (bytes[j] === 0x20 || bytes[j] === 0x09)) j++;
    if (j < bytes.length && bytes[j] === LF) {
      i = j;
      continue;
    }
    if (j + 1 < bytes.length && bytes[j] === CR && bytes[j + 1] === LF) {
      i = j + 1;
      continue;
    }
    const hi = i + 2 < bytes.length ? hexValue(bytes[i + 1]) : -1;
    const lo = i + 2 < bytes.length ? hexValue(bytes[i + 2]) : -1;
    if (hi >= 0 && lo >= 0) {
      out[n++] = hi * 16 + lo;
      i += 2;
    } else out[n++] = c;
  }
  return out.subarray(0, n);
}

/** A part's body after its Content-Transfer-Encoding (base64, quoted-printable; anything else is the bytes as they are). */
export function decodeTransfer(bytes: Buffer, transferEncoding: string | null): Buffer {
  if (transferEncoding === 'base64') return Buffer.from(bytes.toString('latin1'), 'base64');
  if (transferEncoding === 'quoted-printable') return decodeQuotedPrintable(bytes);
  return bytes;
}
