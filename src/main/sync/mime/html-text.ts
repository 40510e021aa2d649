// A plain-text rendition of HTML for the search index and for HTML-only messages' textBody.
// Simple on purpose (no layout), but linear in the input whatever it contains: a hand-written
// scanner, no backtracking regular expressions over the whole document, no recursion.

const NAMED: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', shy: '\u00ad', ensp: '\u2002',
  emsp: '\u2003', thinsp: '\u2009', zwnj: '\u200c', zwj: '\u200d', lrm: '\u200e', rlm: '\u200f',
  ndash: '\u2013', mdash: '\u2014', lsquo: '\u2018', rsquo: '\u2019', sbquo: '\u201a', ldquo: '\u201c',
  rdquo: '\u201d', bdquo: '\u201e', dagger: '\u2020', Dagger: '\u2021', bull: '\u2022', hellip: '\u2026',
  permil: '\u2030', prime: '\u2032', Prime: '\u2033', lsaquo: '\u2039', rsaquo: '\u203a', oline: '\u203e',
  euro: '\u20ac', trade: '\u2122', larr: '\u2190', uarr: '\u2191', rarr: '\u2192', darr: '\u2193',
  harr: '\u2194', minus: '\u2212', le: '\u2264', ge: '\u2265', ne: '\u2260', infin: '\u221e',
  OElig: '\u0152', oelig: '\u0153', Scaron: '\u0160', scaron: '\u0161', Yuml: '\u0178', fnof: '\u0192',
  circ: '\u02c6', tilde: '\u02dc', hearts: '\u2665', check: '\u2713', middot: '\u00b7',
};

// HTML 4's Latin-1 entities, U+00A0..U+00FF in order.
const LATIN1 =
  'nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn sup2 sup3 acute ' +
  'micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave Aacute Acirc Atilde Auml Aring ' +
  'AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde Ograve Oacute Ocirc Otilde Ouml ' +
  'times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN szlig agrave aacute acirc atilde auml aring aelig ccedil ' +
  'egrave eacute ecirc euml igrave iacute icirc iuml eth ntilde ograve oacute ocirc otilde ouml divide oslash ' +
  'ugrave uacute ucirc uuml yacute thorn yuml';
LATIN1.split(' ').forEach((name, i) => {
  if (!(name in NAMED)) NAMED[name] = String.fromCharCode(0xa0 + i);
});

const ENTITY = /&(#[xX][0-9a-fA-F]{1,8}|#[0-9]{1,10}|[A-Za-z][A-Za-z0-9]{1,31});/g;

function fromCodePoint(cp: number): string {
  if (!Number.isFinite(cp) || cp <= 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return '\ufffd';
  return String.fromCodePoint(cp);
}

/** Decodes HTML character references (numeric and the common named ones); unknown ones stay. */
export function decodeHtmlEntities(text: string): string {
  if (text.indexOf('&') < 0) return text;
  return text.replace(ENTITY, (whole, body: string) => {
    if (body.charCodeAt(0) === 35 /* # */) {
      const hex = body.charCodeAt(1) === 120 || body.charCodeAt(1) === 88;
      return fromCodePoint(hex ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10));
    }
    return Object.prototype.hasOwnProperty.call(NAMED, body) ? NAMED[body] : whole;
  });
}

// Elements whose content is not text a reader sees.
const SKIP_CONTENT = new Set(['script', 'style', 'head', 'title', 'template', 'noscript', 'svg', 'xml']);
// Elements that start a new line in a rendered page.
const BLOCK = new Set([
  'br', 'p', 'div', 'tr', 'li', 'ul', 'ol', 'table', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote',
  'pre', 'hr', 'section', 'article', 'header', 'footer', 'dd', 'dt', 'dl', 'address', 'center', 'form',
]);

// A private-use character (never meaningful in mail) as the inserted line-break marker.
const BREAK = '\ue000';

function tagNameAt(lower: string, start: number): string {
  let end = start;
  while (end < lower.length) {
    const c = lower.charCodeAt(end);
    const isName = (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45 || c === 58;
    if (!isName) break;
    end++;
  }
  return lower.slice(start, end);
}

/** Plain text of an HTML document: tags dropped, block ends as newlines, entities decoded. */
export function htmlToText(input: string): string {
  // BREAK marks the line breaks this function inserts; source whitespace (newlines included) is
  // just a space in HTML, so it is collapsed separately from them in tidy().
  const html = input.indexOf(BREAK) >= 0 ? input.replaceAll(BREAK, '') : input;
  const lower = html.toLowerCase();
  const out: string[] = [];
  // True when nothing but whitespace was written since the last line break.
  let atLineStart = true;
  const text = (segment: string): void => {
    out.push(segment);
    if (/\S/.test(segment)) atLineStart = false;
  };
  let i = 0;
  const n = html.length;
  while (i < n) {
    const lt = html.indexOf('<', i);
    if (lt < 0) {
      text(html.slice(i));
      break;
    }
    if (lt > i) text(html.slice(i, lt));
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      if (end < 0) break;
      i = end + 3;
      continue;
    }
    const closing = html.charCodeAt(lt + 1) === 47; /* / */
    const name = tagNameAt(lower, lt + (closing ? 2 : 1));
    if (name === '' && !html.startsWith('<!', lt) && !html.startsWith('<?', lt)) {
      // A lone '<' in text ("a < b").
      text('<');
      i = lt + 1;
      continue;
    }
    const gt = html.indexOf('>', lt + 1);
    if (gt < 0) break;
    i = gt + 1;
    if (!closing && SKIP_CONTENT.has(name) && html.charCodeAt(gt - 1) !== 47) {
      const end = lower.indexOf(`</${name}`, i);
      if (end < 0) break;
      const endGt = html.indexOf('>', end);
      i = endGt < 0 ? n : endGt + 1;
      continue;
    }
    if (name === 'br') {
      out.push(BREAK);
      atLineStart = true;
    } else if (BLOCK.has(name)) {
      // One line break between blocks: </p><p> is one paragraph end, not two.
      if (!atLineStart) out.push(BREAK);
      atLineStart = true;
    } else if (name === 'td' || name === 'th') out.push(' ');
  }
  return tidy(decodeHtmlEntities(out.join('')));
}

function tidy(text: string): string {
  // Native regex passes over the whole text, each linear (no nested quantifiers).
  return text
    // Runs of whitespace to one space; a lone plain space (the common case) is not a match.
    .replace(/ \s+|[^\S ]\s*/g, ' ')
    .replace(/ ?\ue000 ?/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
