// Reading the text of mail headers and Gmail fields for display (renderer, CLI, tests).

export type Address = { name: string | null; address: string | null };

/** `"Alice Example" <alice@example.com>` → name and address (the first one of a list). */
export function parseAddress(raw: string | null): Address {
  if (!raw) return { name: null, address: null };
  const s = raw.trim();
  const angle = /^(.*?)<([^>]+)>/.exec(s);
  if (angle) {
    const name = angle[1].trim().replace(/^"(.*)"$/, '$1').replace(/\\"/g, '"').trim();
    return { name: name || null, address: angle[2].trim() };
  }
  const first = s.split(',')[0].trim();
  return /@/.test(first) ? { name: null, address: first } : { name: first || null, address: null };
}

export function senderName(raw: string | null): string {
  const a = parseAddress(raw);
  return a.name ?? a.address ?? '(unknown sender)';
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** Gmail's snippets are HTML-escaped text ("It&#39;s"): shown as text, so decode the entities. */
export function decodeEntities(s: string | null): string {
  if (!s) return '';
  return s.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,6});/gi, (m, body: string) => {
    if (body[0] === '#') {
      const cp = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return Number.isFinite(cp) && cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
    }
    return NAMED_ENTITIES[body.toLowerCase()] ?? m;
  });
}
