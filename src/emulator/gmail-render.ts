/**
 * Turns RFC 822 bytes into the parts of Gmail's Message resource that never change for a message
 * (payload tree, snippet, sizeEstimate, raw), as users.messages.get documents them:
 * https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.messages#Message
 */
import { base64url, decodeText } from './mime-codec';
import { type Header, type MimePart, parseMime } from './mime-parser';

export type GmailPartBody = { attachmentId?: string; size: number; data?: string };

export type GmailPart = {
  partId: string;
  mimeType: string;
  filename: string;
  headers: Header[];
  body: GmailPartBody;
  parts?: GmailPart[];
};

export type RenderedMessage = {
  /** JSON of the format=full payload, spliced into responses as is. */
  payloadJson: string;
  /** Top-level headers and mimeType, for format=metadata. */
  headers: Header[];
  mimeType: string;
  snippet: string;
  sizeEstimate: number;
  raw: Buffer;
  /** attachmentId -> decoded bytes. */
  attachments: Map<string, Buffer>;
  /** Rough retained size, for the cache budget. */
  cost: number;
};

const ATT_PREFIX = 'ANGjdJ';

/**
 * Attachment ids are opaque and long in Gmail; ours encode (message, part) so any copy of the
 * emulator can serve them without remembering anything.
 */
export function attachmentIdFor(messageId: string, partId: string): string {
  return ATT_PREFIX + Buffer.from(`${messageId}:${partId}:${'x'.repeat(24 - (partId.length % 8))}`).toString('base64url');
}

export function parseAttachmentId(attId: string): { messageId: string; partId: string } | null {
  if (!attId.startsWith(ATT_PREFIX)) return null;
  const s = Buffer.from(attId.slice(ATT_PREFIX.length), 'base64url').toString('utf8');
  const m = /^([0-9a-f]+):([0-9.]+):x+$/.exec(s);
  return m ? { messageId: m[1], partId: m[2] } : null;
}

function escapeSnippet(s: string): string {
  // Gmail's snippets are HTML-escaped text ("don&#39;t").
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function textOf(part: MimePart, wantHtml: boolean): string | null {
  if (part.parts.length) {
    for (const p of part.parts) {
      const t = textOf(p, wantHtml);
      if (t !== null) return t;
    }
    return null;
  }
  if (part.disposition === 'attachment' || part.filename) return null;
  if (part.mimeType === (wantHtml ? 'text/html' : 'text/plain')) return decodeText(part.body, part.params['charset']);
  return null;
}

function makeSnippet(root: MimePart): string {
  let text = textOf(root, false);
  if (text === null) {
    const html = textOf(root, true);
    text = html === null ? '' : html.replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]+>/g, ' ').replace(/&nbsp;/g, ' ');
  }
  // Only the start matters: a snippet is at most 200 characters.
  const flat = text.slice(0, 1200).replace(/\s+/g, ' ').trim();
  const cut = flat.length > 200 ? flat.slice(0, 200).replace(/\s+\S*$/, '') : flat;
  return escapeSnippet(cut);
}

/**
 * Header values are "the value of the header after the : separator" (MessagePartHeader): unfolded
 * but not RFC 2047-decoded, so clients decode encoded words and charsets themselves. Leaf body data
 * is the content after Content-Transfer-Encoding decoding, still in the part's own charset.
 */
function toGmailPart(p: MimePart, partId: string, messageId: string, attachments: Map<string, Buffer>): GmailPart {
  const out: GmailPart = { partId, mimeType: p.mimeType, filename: p.filename, headers: p.headers, body: { size: 0 } };
  if (p.parts.length || p.mimeType.startsWith('multipart/')) {
    out.parts = p.parts.map((c, i) => toGmailPart(c, partId === '' ? String(i) : `${partId}.${i}`, messageId, attachments));
    if (!out.parts.length) delete out.parts;
    return out;
  }
  if (p.filename) {
    // Parts with a file name are served through messages.attachments.get, not inline.
    const attachmentId = attachmentIdFor(messageId, partId);
    attachments.set(attachmentId, p.body);
    out.body = { attachmentId, size: p.body.length };
  } else if (p.body.length) {
    out.body = { size: p.body.length, data: base64url(p.body) };
  }
  return out;
}

export function renderMessage(messageId: string, raw: Buffer): RenderedMessage {
  const root = parseMime(raw);
  const attachments = new Map<string, Buffer>();
  const payload = toGmailPart(root, '', messageId, attachments);
  const payloadJson = JSON.stringify(payload);
  let attBytes = 0;
  for (const b of attachments.values()) attBytes += b.length;
  return {
    payloadJson,
    headers: root.headers,
    mimeType: root.mimeType,
    snippet: makeSnippet(root),
    sizeEstimate: raw.length,
    raw,
    attachments,
    cost: payloadJson.length * 2 + raw.length + attBytes + 512,
  };
}
