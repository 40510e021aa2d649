// Reading a message's original source (RFC 5322 text) for "View original": its header fields, unfolded.

/** The header block: everything before the first empty line (CRLF or LF), or the whole text when there is none. */
function headerBlock(source: string): string {
  const m = /\r?\n\r?\n/.exec(source);
  return m ? source.slice(0, m.index) : source;
}

/**
 * The first value of header `name` (case-insensitive) in `source`, its folded lines joined (RFC 5322 §2.2.3) and
 * trimmed; null when the header is not there. Encoded words are left as written: this is for fields that are ASCII
 * by definition, such as Message-ID.
 */
export function headerOf(source: string, name: string): string | null {
  const want = name.toLowerCase();
  const lines = headerBlock(source).split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const colon = lines[i].indexOf(':');
    if (colon <= 0 || /^[ \t]/.test(lines[i]) || lines[i].slice(0, colon).trim().toLowerCase() !== want) continue;
    let value = lines[i].slice(colon + 1);
    for (let j = i + 1; j < lines.length && /^[ \t]/.test(lines[j]); j++) value += ` ${lines[j].trim()}`;
    return value.trim().replace(/\s+/g, ' ');
  }
  return null;
}

