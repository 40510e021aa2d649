// One mboxrd entry per message (RFC 4155 and the mboxrd convention it describes): the From_ line, Takeout's two
// headers (takeout-labels.ts), the original source with every line that matches /^>*From / given one more '>', and
// a blank line. Readers undo the quoting by taking one '>' off such lines, so every message reads back byte for
// byte, with one exception the format cannot express: a source whose last line has no line break gets one.
//
// Produced as a list of Buffers that point into the message's own bytes (no copy of a large message), written in
// order by the caller.
import { decimalGmailId, takeoutLabels } from './takeout-labels';

/** What an mbox entry is made of. */
export type MboxMessage = {
  gmailId: string;
  threadId: string;
  /** Gmail's internalDate (ms); null when unknown (the From_ line then says 1970). */
  internalDate: number | null;
  labelIds: readonly string[];
  /** The original source, whole. */
  bytes: Buffer;
};

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');

/** RFC 4155's timestamp: the 24-character UNIX asctime form, in UTC (`Thu Jun  4 16:30:29 2018`). */
export function asctime(ms: number | null): string {
  const d = new Date(ms !== null && Number.isFinite(ms) ? ms : 0);
  const t = Number.isNaN(d.getTime()) ? new Date(0) : d;
  const day = String(t.getUTCDate()).padStart(2, ' ');
  return `${DAYS[t.getUTCDay()]} ${MONTHS[t.getUTCMonth()]} ${day} ${two(t.getUTCHours())}:${two(t.getUTCMinutes())}:${two(t.getUTCSeconds())} ${t.getUTCFullYear()}`;
}

/** An id in a header or the From_ line: never a space or a control character (Gmail's are hex anyway). */
// eslint-disable-next-line no-control-regex
const token = (s: string): string => s.replace(/[\s\u0000-\u001f\u007f]/g, '_') || '_';

/** CRLF when the source's first line ends with one, else LF: the entry's own lines follow the message's. */
export function lineEnding(bytes: Buffer): '\r\n' | '\n' {
  const lf = bytes.indexOf(0x0a);
  return lf > 0 && bytes[lf - 1] === 0x0d ? '\r\n' : '\n';
}

/**
 * The lines an entry starts with: the From_ line (sender `<decimal message id>@xxx`, as Takeout writes it), then
 * X-GM-THRID and X-Gmail-Labels.
 */
export function mboxPreamble(m: MboxMessage, labelNames: ReadonlyMap<string, string>, eol: string): Buffer {
  return Buffer.from(
    `From ${token(decimalGmailId(m.gmailId))}@xxx ${asctime(m.internalDate)}${eol}` +
      `X-GM-THRID: ${token(decimalGmailId(m.threadId))}${eol}` +
      `X-Gmail-Labels: ${takeoutLabels(m.labelIds, labelNames)}${eol}`,
    'utf8',
  );
}

const GT = Buffer.from('>');
const FROM = Buffer.from('From ');

/** The source's bytes with mboxrd's quoting: slices of `bytes` with a '>' before each line matching /^>*From /. */
export function* mboxrdQuoted(bytes: Buffer): Generator<Buffer> {
  let start = 0;
  for (let hit = bytes.indexOf(FROM); hit >= 0; hit = bytes.indexOf(FROM, hit + FROM.length)) {
    let line = hit;
    while (line > 0 && bytes[line - 1] === 0x3e) line--;
    if (line !== 0 && bytes[line - 1] !== 0x0a) continue;
    if (line > start) yield bytes.subarray(start, line);
    yield GT;
    start = line;
  }
  if (start < bytes.length) yield bytes.subarray(start);
}

/** A whole entry, in order: preamble, the quoted source, the line break it may lack, and the blank line after it. */
export function* mboxEntry(m: MboxMessage, labelNames: ReadonlyMap<string, string>): Generator<Buffer> {
  const eol = lineEnding(m.bytes);
  const eolBytes = Buffer.from(eol);
  yield mboxPreamble(m, labelNames, eol);
  yield* mboxrdQuoted(m.bytes);
  if (m.bytes.length > 0 && m.bytes[m.bytes.length - 1] !== 0x0a) yield eolBytes;
  yield eolBytes;
}
