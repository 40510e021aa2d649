// Turns a message's HTML into a document for a sandboxed, script-less iframe. Three layers, each
// enough on its own against scripts: DOMPurify removes scripts, handlers, forms and embeds; the
// iframe's sandbox (no allow-scripts, no allow-same-origin) cannot run script; and the document's
// own CSP (default-src 'none') loads nothing but data: images and inline styles — remote images
// only after the user allowed them for this message.
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
`;

export type MessageDocument = { srcdoc: string; hasRemoteContent: boolean };

export function sanitizeMessageHtml(html: string, allowRemoteImages: boolean): { body: string; hasRemoteContent: boolean } {
  // DOMParser documents are inert: nothing runs or loads while head styles are pulled into the body.
  const parsed = new DOMParser().parseFromString(html, 'text/html');
  const headStyles = Array.from(parsed.head.querySelectorAll('style'))
    .map((s) => s.outerHTML)
    .join('');
  pass.allowRemote = allowRemoteImages;
  pass.sawRemote = false;
  const body = purifier.sanitize(headStyles + parsed.body.innerHTML, {
    USE_PROFILES: { html: true },
    FORBID_TAGS,
    FORBID_ATTR,
    FORCE_BODY: true,
    ALLOW_DATA_ATTR: false,
    ALLOW_UNKNOWN_PROTOCOLS: false,
    ADD_ATTR: ['target'],
  });
  return { body, hasRemoteContent: pass.sawRemote || REMOTE_CSS.test(body) };
}

export function buildMessageDocument(sanitizedBody: string, allowRemoteImages: boolean): string {
  return (
    '<!doctype html><html><head><meta charset="utf-8">' +
    `<meta http-equiv="Content-Security-Policy" content="${messageFrameCsp(allowRemoteImages)}">` +
    '<meta name="referrer" content="no-referrer">' +
    `<style>${BASE_CSS}</style></head><body>${sanitizedBody}</body></html>`
  );
}
