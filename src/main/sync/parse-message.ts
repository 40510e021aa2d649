// Gmail message resource -> ParsedMessage for the store. Runs for every message, so it is a
// single pass over the payload tree with no recursion (a hostile 1,000-level nesting cannot blow
// the stack) and it never throws: whatever could not be read is reported in parseError and the
// message is stored with the rest (issue 4: a bad message never stops the sync).
//
// Gmail's format=full payload (https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.messages#MessagePart):
// a tree of parts with headers; body.data is base64url of the part's bytes after transfer
// decoding (still in the part's charset); big bodies and attachments carry body.attachmentId
// instead of data. format=raw is the whole RFC 822 message in base64url: read into the same tree (mime/raw-source.ts),
// and cut into the pieces the store keeps as the message's original.
import type { gmail_v1 } from 'googleapis';
import type { ParsedAttachment, ParsedMessage } from '../db/message-details';
import { decodeBytes } from './mime/charset';
import { scanMime } from './mime/raw-mime';
import { cutSource, payloadOf, type RawPayloadPart } from './mime/raw-source';
import { decodeHeaderValue, parseHeaderParams, stripNul } from './mime/headers';
import { decodeHtmlEntities, htmlToText } from './mime/html-text';

export type { ParsedMessage, ParsedAttachment };

type MessagePart = gmail_v1.Schema$MessagePart;

/** Beyond this many parts the rest of the tree is skipped (and reported). */
const MAX_PARTS = 5_000;

type TopHeaders = {
  subject: string | null;
  from: string | null;
  to: string | null;
  cc: string | null;
  bcc: string | null;
  date: string | null;
  messageIdHeader: string | null;
  references: string | null;
};

const TOP_HEADER_KEYS: Record<string, keyof TopHeaders> = {
  subject: 'subject',
  from: 'from',
  to: 'to',
  cc: 'cc',
  bcc: 'bcc',
  date: 'date',
  'message-id': 'messageIdHeader',
  references: 'references',
};

function emptyHeaders(): TopHeaders {
  return { subject: null, from: null, to: null, cc: null, bcc: null, date: null, messageIdHeader: null, references: null };
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : null);

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The resource's own fields (id, labels, dates…), read defensively: the input may be anything. */
function baseMessage(msg: gmail_v1.Schema$Message | null | undefined, problems: string[]): ParsedMessage {
  const m = (msg && typeof msg === 'object' ? msg : {}) as Record<string, unknown>;
  const gmailId = str(m.id) ?? '';
  if (gmailId === '') problems.push('message has no id');
  const labelIds = Array.isArray(m.labelIds) ? [...new Set(m.labelIds.filter((l): l is string => typeof l === 'string' && l !== ''))] : [];
  const internal = Number(str(m.internalDate) ?? NaN);
  const size = Number(m.sizeEstimate);
  const snippet = str(m.snippet);
  return {
    gmailId,
    threadId: str(m.threadId) ?? gmailId,
    labelIds,
    historyId: str(m.historyId),
    internalDate: Number.isFinite(internal) ? Math.trunc(internal) : null,
    sizeEstimate: Number.isFinite(size) && m.sizeEstimate !== null && m.sizeEstimate !== undefined ? Math.trunc(size) : null,
    // Gmail's snippet is HTML-escaped (&#39;, &quot;): store it as text.
    snippet: snippet === null ? null : stripNul(decodeHtmlEntities(snippet)),
    ...emptyHeaders(),
    textBody: null,
    htmlBody: null,
    attachments: [],
    parseError: null,
  };
}

function readTopHeaders(headers: unknown, into: TopHeaders): void {
  if (!Array.isArray(headers)) return;
  for (const h of headers as Array<gmail_v1.Schema$MessagePartHeader | null>) {
    if (!h || typeof h.name !== 'string') continue;
    const key = TOP_HEADER_KEYS[h.name.trim().toLowerCase()];
    if (key === undefined || into[key] !== null) continue;
    into[key] = decodeHeaderValue(str(h.value) ?? '');
  }
}

/** The part headers MIME structure needs: Content-Type, Content-Disposition, Content-ID. */
function partHeaders(part: MessagePart): { contentType: string | null; disposition: string | null; contentId: string | null } {
  let contentType: string | null = null;
  let disposition: string | null = null;
  let contentId: string | null = null;
  if (Array.isArray(part.headers)) {
    for (const h of part.headers) {
      if (!h || typeof h.name !== 'string' || typeof h.value !== 'string') continue;
      const name = h.name.toLowerCase();
      if (name === 'content-type') contentType ??= h.value;
      else if (name === 'content-disposition') disposition ??= h.value;
      else if (name === 'content-id') contentId ??= h.value;
    }
  }
  return { contentType, disposition, contentId };
}

function cleanContentId(v: string | null): string | null {
  if (!v) return null;
  const t = v.trim().replace(/^<|>$/g, '').trim();
  return t === '' ? null : t;
}

function decodeData(data: string): Buffer {
  // Node's base64url decoder also accepts the standard alphabet and skips what is not base64,
  // so damaged data yields the bytes that could be read instead of an exception.
  return Buffer.from(data, 'base64url');
}

type BodyParts = { texts: string[]; htmls: string[] };

function walkPayload(payload: MessagePart, out: ParsedMessage, problems: string[]): BodyParts {
  const bodies: BodyParts = { texts: [], htmls: [] };
  const stack: MessagePart[] = [payload];
  let visited = 0;
  while (stack.length > 0) {
    const part = stack.pop();
    if (!part || typeof part !== 'object') continue;
    if (++visited > MAX_PARTS) {
      problems.push(`more than ${MAX_PARTS} MIME parts; the rest was skipped`);
      break;
    }
    try {
      const { contentType, disposition, contentId } = partHeaders(part);
      const ct = parseHeaderParams(contentType);
      const mimeType = (typeof part.mimeType === 'string' && part.mimeType.trim() !== '' ? part.mimeType.trim().toLowerCase() : ct.value) || 'text/plain';
      if (mimeType.startsWith('multipart/')) {
        const children = Array.isArray(part.parts) ? part.parts : [];
        if (children.length === 0) continue;
        // Reverse so parts pop off in document order.
        for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
        continue;
      }
      const disp = parseHeaderParams(disposition);
      const rawName = (typeof part.filename === 'string' && part.filename !== '' ? part.filename : null) ?? disp.params.get('filename') ?? ct.params.get('name') ?? null;
      const filename = rawName === null ? null : decodeHeaderValue(rawName) || null;
      const body: RawPayloadPart['body'] & object = part.body && typeof part.body === 'object' ? part.body : {};
      // A part read from an original (format=raw) carries its decoded bytes.
      const bytes = Buffer.isBuffer(body.bytes) ? body.bytes : typeof body.data === 'string' ? decodeData(body.data) : null;
      const attachmentId = typeof body.attachmentId === 'string' && body.attachmentId !== '' ? body.attachmentId : null;
      const isTextBody = (mimeType === 'text/plain' || mimeType === 'text/html') && filename === null && disp.value !== 'attachment';

      if (isTextBody && bytes !== null) {
        const text = stripNul(decodeBytes(bytes, ct.params.get('charset')));
        (mimeType === 'text/html' ? bodies.htmls : bodies.texts).push(text);
        continue;
      }
      if (isTextBody && attachmentId === null) continue; // an empty body part
      // Attachments, inline images, forwarded messages (not descended into: their parts belong
      // to the attached message), and bodies Gmail keeps external (attachmentId, no data).
      const size = typeof body.size === 'number' && Number.isFinite(body.size) ? body.size : bytes !== null ? bytes.length : null;
      const attachment: ParsedAttachment = {
        gmailAttachmentId: attachmentId,
        partId: typeof part.partId === 'string' ? part.partId : null,
        filename,
        mimeType,
        size,
        contentId: cleanContentId(contentId),
        transferEncoding: null,
      };
      out.attachments.push(attachment);
    } catch (e) {
      problems.push(`part ${typeof part.partId === 'string' ? part.partId : '?'}: ${errorText(e)}`);
    }
  }
  return bodies;
}

function finish(out: ParsedMessage, bodies: BodyParts, problems: string[]): ParsedMessage {
  if (bodies.texts.length > 0) out.textBody = bodies.texts.join('\n');
  if (bodies.htmls.length > 0) out.htmlBody = bodies.htmls.join('\n');
  if (out.textBody === null && out.htmlBody !== null) {
    try {
      out.textBody = htmlToText(out.htmlBody);
    } catch (e) {
      problems.push(`html to text: ${errorText(e)}`);
    }
  }
  if (out.internalDate === null && out.date) {
    const t = Date.parse(out.date);
    if (Number.isFinite(t)) out.internalDate = t;
  }
  out.parseError = problems.length > 0 ? problems.join('; ').slice(0, 2000) : null;
  return out;
}

export type ParseOptions = {
  /**
   * Of an original (format=raw): attachments bigger than this many bytes are left out of the pieces kept (the
   * user's cap); null or absent: every one is kept.
   */
  attachmentCapBytes?: number | null;
};

/**
 * Parses a messages.get / threads.get resource in format full, metadata (minimal gives no headers) or raw; a raw
 * one also yields its original, cut into the pieces the store keeps (`source`). Never throws.
 */
export function parseGmailMessage(msg: gmail_v1.Schema$Message, options: ParseOptions = {}): ParsedMessage {
  const problems: string[] = [];
  let out: ParsedMessage;
  try {
    out = baseMessage(msg, problems);
  } catch (e) {
    out = baseMessage(null, []);
    problems.push(`unreadable message: ${errorText(e)}`);
    return finish(out, { texts: [], htmls: [] }, problems);
  }
  let bodies: BodyParts = { texts: [], htmls: [] };
  try {
    const payload = (msg as { payload?: unknown } | null | undefined)?.payload;
    const raw = (msg as { raw?: unknown }).raw;
    if (payload && typeof payload === 'object') {
      const headers = emptyHeaders();
      readTopHeaders((payload as MessagePart).headers, headers);
      Object.assign(out, headers);
      bodies = walkPayload(payload as MessagePart, out, problems);
    } else if (typeof raw === 'string') {
      const src = decodeData(raw);
      const tree = scanMime(src);
      const headers = emptyHeaders();
      readTopHeaders(tree.headers, headers);
      Object.assign(out, headers);
      bodies = walkPayload(payloadOf(src, tree), out, problems);
      out.source = cutSource(src, tree, out.attachments, options.attachmentCapBytes ?? null);
    } else {
      problems.push('message has no payload');
    }
  } catch (e) {
    problems.push(`unreadable payload: ${errorText(e)}`);
  }
  return finish(out, bodies, problems);
}
