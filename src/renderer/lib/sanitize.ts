// Turns a message's HTML into a document for a sandboxed, script-less iframe. Three layers, each
// enough on its own against scripts: DOMPurify removes scripts, handlers, forms and embeds; the
// iframe's sandbox (no allow-scripts, no allow-same-origin) cannot run script; and the document's
// own CSP (default-src 'none') loads nothing but data: images and inline styles — remote images
// only after the user allowed them for this message.
// On top of safety, the mail's layout is contained: `position: fixed` and `sticky` (an overlay that
// covers the message and swallows its clicks, a banner stuck over the text) become `static`, and
// quoted text (blockquotes, Gmail's .gmail_quote, "On … wrote:") folds behind a "…" toggle.
import DOMPurify from 'dompurify';
import { messageFrameCsp } from '../../shared/csp';

const purifier = DOMPurify(window);

const FORBID_TAGS = [
  'form', 'input', 'button', 'select', 'option', 'optgroup', 'textarea', 'datalist', 'output', 'fieldset', 'legend', 'label',
  'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'portal', 'base', 'link', 'meta', 'script', 'noscript',
  'audio', 'video', 'source', 'track', 'dialog', 'template', 'slot',
];
const FORBID_ATTR = ['action', 'formaction', 'ping', 'srcdoc', 'autofocus', 'tabindex', 'contenteditable', 'popover'];

const SAFE_LINK = /^(https?:|mailto:)/i;
const SAFE_MEDIA = /^(https?:|data:image\/|cid:)/i;
const REMOTE = /^\s*(?:https?:)?\/\//i;
const REMOTE_CSS = /url\(\s*['"]?\s*(?:https?:)?\/\//i;
/** What a blocked remote image shows: nothing, in the space the image would take. */
const BLANK_PIXEL = 'data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7';

// State of the sanitize() call in progress (DOMPurify hooks are global and calls synchronous).
const pass = { allowRemote: false, sawRemote: false };

purifier.addHook('afterSanitizeAttributes', (node) => {
  if (!(node instanceof Element)) return;
  unpinStyleAttribute(node);
  if (node.tagName === 'A' || node.tagName === 'AREA') {
    const href = node.getAttribute('href');
    if (href !== null && !SAFE_LINK.test(href.trim())) node.removeAttribute('href');
    // Links leave the sandbox as new top-level windows (the system browser in Electron).
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer');
  }
  for (const attr of ['src', 'background', 'poster', 'srcset']) {
    const v = node.getAttribute(attr);
    if (v === null) continue;
    // Relative URLs would resolve against the app's own address: never useful in mail.
    const remote = attr === 'srcset' ? /(?:https?:)?\/\//i.test(v) : REMOTE.test(v);
    if (!remote && !SAFE_MEDIA.test(v.trim())) {
      node.removeAttribute(attr);
      continue;
    }
    if (remote) {
      pass.sawRemote = true;
      // Blocked: the frame's CSP would refuse the load anyway; a blank keeps the layout without
      // a broken-image icon. Allowed: left as sent.
      if (!pass.allowRemote) {
        if (attr === 'src') node.setAttribute('src', BLANK_PIXEL);
        else node.removeAttribute(attr);
      }
    }
  }
});

// ---------------------------------------------------------------------------------------------
// Layout containment: positions a message may not use. The browser's own CSS parser reads the
// declarations (so escapes like `posit\69 on: fix\65 d` are seen for what they are).

const PINNED = new Set(['fixed', 'sticky', '-webkit-sticky']);
const MAY_PIN = /position|\\/i;

/** An element's style attribute with any fixed/sticky position made static. */
function unpinStyleAttribute(el: Element): void {
  const style = (el as HTMLElement).style as CSSStyleDeclaration | undefined;
  const raw = el.getAttribute('style');
  if (!style || raw === null || !MAY_PIN.test(raw)) return;
  if (PINNED.has(style.getPropertyValue('position').trim().toLowerCase())) {
    style.setProperty('position', 'static', style.getPropertyPriority('position'));
  }
}

function unpinRules(rules: CSSRuleList): boolean {
  let changed = false;
  for (const rule of Array.from(rules)) {
    if (rule instanceof CSSStyleRule && PINNED.has(rule.style.getPropertyValue('position').trim().toLowerCase())) {
      rule.style.setProperty('position', 'static', rule.style.getPropertyPriority('position'));
      changed = true;
    }
    // @media, @supports, @layer, @container, nested rules.
    if ('cssRules' in rule && (rule as CSSGroupingRule).cssRules) changed = unpinRules((rule as CSSGroupingRule).cssRules) || changed;
  }
  return changed;
}

/** A <style> element's text with fixed/sticky positions made static (left as written when it has none). */
function unpinStyleSheet(el: Element): void {
  const css = el.textContent ?? '';
  if (!MAY_PIN.test(css)) return;
  const sheet = new CSSStyleSheet();
  try {
    sheet.replaceSync(css);
  } catch {
    el.textContent = '';
    return;
  }
  if (unpinRules(sheet.cssRules)) {
    el.textContent = Array.from(sheet.cssRules, (r) => r.cssText).join('\n');
  }
}

purifier.addHook('afterSanitizeElements', (node) => {
  if (node instanceof Element && node.tagName === 'STYLE') unpinStyleSheet(node);
});

// ---------------------------------------------------------------------------------------------
// Quote folding, as Gmail's "…": the quoted part of a reply is hidden until asked for. <details>
// needs no script, so it works inside the script-less frame.

const QUOTE_SELECTOR = 'blockquote, .gmail_quote, .gmail_extra, .yahoo_quoted, #divRplyFwdMsg, #appendonsend';
/** The attribution line of a reply ("On Mon, 2 Jun 2025, Ada <ada@x> wrote:", and a few languages). */
export const ATTRIBUTION = /(\bwrote|a écrit|schrieb|escribió|ha scritto|schreef|написал|skrev)\s*:?\s*$/i;

function meaningfulText(n: Node | null | undefined): boolean {
  return Boolean(n && (n.textContent ?? '').replace(/[\s\u00a0]+/g, '').length > 0);
}

/** Wraps the outermost quotes of `body` in a folded <details>; not when the quote is all there is. */
function foldQuotes(body: HTMLElement): number {
  const doc = body.ownerDocument;
  const outermost = Array.from(body.querySelectorAll(QUOTE_SELECTOR)).filter(
    (q) => !q.parentElement?.closest(QUOTE_SELECTOR) && meaningfulText(q),
  );
  if (outermost.length === 0) return 0;
  // Text outside every quote: without it, the "quote" is the message (a forward, a styled newsletter).
  const probe = body.cloneNode(true) as HTMLElement;
  for (const q of Array.from(probe.querySelectorAll(QUOTE_SELECTOR))) q.remove();
  if (!meaningfulText(probe)) return 0;

  for (const q of outermost) {
    const moved: Node[] = [q];
    // The attribution just before the quote ("On … wrote:") folds with it.
    let prev = q.previousSibling;
    while (prev && (prev.nodeName === 'BR' || (prev.nodeType === Node.TEXT_NODE && !meaningfulText(prev)))) prev = prev.previousSibling;
    if (prev && (prev.textContent ?? '').length < 400 && ATTRIBUTION.test((prev.textContent ?? '').trim())) {
      for (let n: Node | null = prev; n && n !== q; n = n.nextSibling) moved.push(n);
    }
    const details = doc.createElement('details');
    details.className = 'mm-quote';
    const summary = doc.createElement('summary');
    summary.title = 'Show quoted text';
    summary.setAttribute('aria-label', 'Show quoted text');
    summary.textContent = '•••';
    details.append(summary);
    q.before(details);
    const first = moved.length > 1 ? moved.slice(1) : [];
    for (const n of [...first, q]) details.append(n);
  }
  return outermost.length;
}

/** Gives readable defaults to mail that sets none, without fighting mail that does. */
const BASE_CSS = `
  html { color-scheme: light; }
  body { margin: 0; padding: 20px 24px; font: 14px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
    color: #1f2328; background: #fff; overflow-wrap: anywhere; }
  img { max-width: 100%; height: auto; }
  table { max-width: 100%; }
  pre { white-space: pre-wrap; }
  a { color: #3d4ecf; }
  a:not([href]) { color: inherit; text-decoration: none; }
  blockquote { margin: 0 0 0 4px; padding-left: 12px; border-left: 3px solid #d0d7de; color: #57606a; }
  details.mm-quote { margin: 10px 0; }
  details.mm-quote > summary { display: inline-block; list-style: none; cursor: pointer; padding: 0 8px; height: 12px;
    line-height: 6px; font-size: 11px; letter-spacing: 1px; color: #4b5260; background: #e8eaed; border-radius: 6px; user-select: none; }
  details.mm-quote > summary::-webkit-details-marker { display: none; }
  details.mm-quote > summary:hover { background: #d3d7de; }
  details.mm-quote > summary:focus-visible { outline: 2px solid #3d4ecf; outline-offset: 2px; }
  details.mm-quote[open] > summary { margin-bottom: 8px; }
  @media print { details.mm-quote > summary { display: none; } }
`;

export type MessageDocument = { srcdoc: string; hasRemoteContent: boolean };

export type SanitizedMessage = { body: string; hasRemoteContent: boolean; foldedQuotes: number };

export function sanitizeMessageHtml(html: string, allowRemoteImages: boolean, opts: { foldQuotes?: boolean } = {}): SanitizedMessage {
  // DOMParser documents are inert: nothing runs or loads while head styles are pulled into the body.
  const parsed = new DOMParser().parseFromString(html, 'text/html');
  const headStyles = Array.from(parsed.head.querySelectorAll('style'))
    .map((s) => s.outerHTML)
    .join('');
  pass.allowRemote = allowRemoteImages;
  pass.sawRemote = false;
  // The sanitized DOM is changed (quotes folded) and serialized once, as DOMPurify's own string
  // output is: the frame parses exactly what was checked.
  const dom = purifier.sanitize(headStyles + parsed.body.innerHTML, {
    USE_PROFILES: { html: true },
    FORBID_TAGS,
    FORBID_ATTR,
    FORCE_BODY: true,
    ALLOW_DATA_ATTR: false,
    ALLOW_UNKNOWN_PROTOCOLS: false,
    ADD_ATTR: ['target'],
    RETURN_DOM: true,
  });
  const foldedQuotes = opts.foldQuotes === false ? 0 : foldQuotes(dom as HTMLElement);
  const body = dom.innerHTML;
  return { body, hasRemoteContent: pass.sawRemote || REMOTE_CSS.test(body), foldedQuotes };
}

export function buildMessageDocument(sanitizedBody: string, allowRemoteImages: boolean): string {
  return (
    '<!doctype html><html><head><meta charset="utf-8">' +
    `<meta http-equiv="Content-Security-Policy" content="${messageFrameCsp(allowRemoteImages)}">` +
    '<meta name="referrer" content="no-referrer">' +
    `<style>${BASE_CSS}</style></head><body>${sanitizedBody}</body></html>`
  );
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

export type PrintableMessage = {
  subject: string;
  from: string | null;
  to: string | null;
  cc: string | null;
  date: string;
  /** Sanitized HTML (unfolded), or null for a plain-text message. */
  htmlBody: string | null;
  textBody: string | null;
};

const PRINT_CSS = `
  @page { margin: 16mm 14mm; }
  html { color-scheme: light; }
  body { margin: 0; font: 12pt/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #000; background: #fff; }
  .mm-print-head { border-bottom: 1px solid #999; padding-bottom: 8pt; margin-bottom: 12pt; }
  .mm-print-head h1 { font-size: 16pt; margin: 0 0 6pt; }
  .mm-print-head table { border-collapse: collapse; font-size: 10pt; }
  .mm-print-head th { text-align: left; font-weight: 600; padding: 1pt 10pt 1pt 0; vertical-align: top; color: #444; }
  .mm-print-head td { padding: 1pt 0; overflow-wrap: anywhere; }
  .mm-print-text { white-space: pre-wrap; overflow-wrap: anywhere; font: inherit; margin: 0; }
  .mm-print-body { overflow-wrap: anywhere; }
  .mm-print-body img { max-width: 100%; height: auto; }
  .mm-print-body table { max-width: 100%; }
  .mm-print-body pre { white-space: pre-wrap; }
  .mm-print-body blockquote { margin: 0 0 0 4px; padding-left: 10px; border-left: 2px solid #999; color: #333; }
`;

/**
 * The document "Print" prints: the headers and the whole body in the normal flow (no frame, no
 * scroll box, none of the app around it), under the same CSP as the message frame.
 */
export function buildPrintDocument(m: PrintableMessage, allowRemoteImages: boolean): string {
  const rows = (
    [
      ['From', m.from],
      ['To', m.to],
      ['Cc', m.cc],
      ['Date', m.date],
    ] as const
  )
    .filter(([, v]) => v)
    .map(([k, v]) => `<tr><th>${k}</th><td>${escapeHtml(v ?? '')}</td></tr>`)
    .join('');
  const body =
    m.htmlBody !== null
      ? `<div class="mm-print-body">${m.htmlBody}</div>`
      : `<pre class="mm-print-text">${escapeHtml(m.textBody ?? '')}</pre>`;
  return (
    '<!doctype html><html><head><meta charset="utf-8">' +
    `<meta http-equiv="Content-Security-Policy" content="${messageFrameCsp(allowRemoteImages)}">` +
    '<meta name="referrer" content="no-referrer">' +
    `<title>${escapeHtml(m.subject)}</title><style>${PRINT_CSS}</style></head><body>` +
    `<header class="mm-print-head"><h1>${escapeHtml(m.subject)}</h1><table>${rows}</table></header>` +
    `${body}</body></html>`
  );
}
