// An original message (format=raw) read two ways from one scan (raw-mime.ts): as a payload tree shaped like Gmail's
// format=full, so parse-message.ts reads it exactly as it reads that format, and cut into the pieces the store keeps
// (db/sources.ts): the text between attachments, and each attachment's bytes as sent, so the same file sent twice is
// stored once and the pieces put together are the original, byte for byte.
import type { gmail_v1 } from 'googleapis';
import type { ParsedSource } from '../../db/sources';
import { decodeTransfer, type RawPart } from './raw-mime';

/** A format=full part whose leaf body carries its decoded bytes instead of base64url `data`. */
export type RawPayloadPart = gmail_v1.Schema$MessagePart & { body?: gmail_v1.Schema$MessagePartBody & { bytes?: Buffer } };

/** The payload tree of an original, each leaf's body decoded from its transfer encoding. */
export function payloadOf(src: Buffer, root: RawPart): RawPayloadPart {
  const convert = (p: RawPart): RawPayloadPart => {
    const out: RawPayloadPart = { partId: p.partId, mimeType: p.mimeType, filename: '', headers: p.headers };
    if (p.parts !== null) {
      out.parts = p.parts.map(convert);
      out.body = { size: 0 };
    } else {
      const bytes = decodeTransfer(src.subarray(p.bodyStart, p.bodyEnd), p.transferEncoding);
      out.body = { size: bytes.length, bytes };
    }
    return out;
  };
  return convert(root);
}

/** What the cut needs of each attachment the parser found, and what it sets on it. */
export type CutAttachment = { partId: string | null; size: number | null; sourcePiece?: number | null; transferEncoding?: string | null };

/**
 * Cuts `src` into pieces: every attachment's body (as sent) a piece of its own, the text around them the others.
 * An attachment over `capBytes` (its decoded size; null: no cap) is a piece whose bytes are not kept. Sets each
 * attachment's `sourcePiece` (index of its piece) and `transferEncoding`.
 */
export function cutSource(src: Buffer, root: RawPart, list: CutAttachment[], capBytes: number | null): ParsedSource {
  const leaves = new Map<string, RawPart>();
  const stack: RawPart[] = [root];
  while (stack.length > 0) {
    const p = stack.pop()!;
    if (p.parts === null) leaves.set(p.partId, p);
    else stack.push(...p.parts);
  }
  const cuts = list
    .map((a) => ({ a, leaf: a.partId === null ? undefined : leaves.get(a.partId) }))
    .filter((c): c is { a: CutAttachment; leaf: RawPart } => c.leaf !== undefined)
    .sort((x, y) => x.leaf.bodyStart - y.leaf.bodyStart);
  const pieces: ParsedSource['pieces'] = [];
  let at = 0;
  for (const { a, leaf } of cuts) {
    if (leaf.bodyStart < at) continue; // the same part twice: cut once
    if (leaf.bodyStart > at) pieces.push({ bytes: src.subarray(at, leaf.bodyStart), size: leaf.bodyStart - at });
    const keep = capBytes === null || (a.size ?? 0) <= capBytes;
    a.sourcePiece = pieces.length;
    a.transferEncoding = leaf.transferEncoding;
    pieces.push({ bytes: keep ? src.subarray(leaf.bodyStart, leaf.bodyEnd) : null, size: leaf.bodyEnd - leaf.bodyStart, attachment: true });
    at = leaf.bodyEnd;
  }
  if (at < src.length || pieces.length === 0) pieces.push({ bytes: src.subarray(at), size: src.length - at });
  return { size: src.length, pieces };
}
