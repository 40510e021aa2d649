// Reads an mboxrd file back as a mail program does, written apart from src/main/export so it checks the writer
// rather than repeating it: entries start at a line beginning "From " (the first line, or after a line feed); each
// entry's last line break is the blank line between entries; one '>' comes off every line matching /^>+From /.
// Takeout's two headers (X-GM-THRID, X-Gmail-Labels), when they open the entry, are taken out and returned.

export type MboxrdEntry = {
  /** The From_ line without its line break. */
  fromLine: string;
  thrid: string | null;
  labels: string | null;
  /** The message as it was before it was written. */
  bytes: Buffer;
};

function lineStarts(buf: Buffer): number[] {
  const starts = [0];
  for (let i = buf.indexOf(0x0a); i >= 0 && i + 1 < buf.length; i = buf.indexOf(0x0a, i + 1)) starts.push(i + 1);
  return starts;
}

const isFromLine = (buf: Buffer, at: number) => buf.subarray(at, at + 5).toString('latin1') === 'From ';

function unquote(buf: Buffer): Buffer {
  const parts: Buffer[] = [];
  let from = 0;
  for (const s of lineStarts(buf)) {
    let i = s;
    while (buf[i] === 0x3e) i++;
    if (i > s && isFromLine(buf, i)) {
      parts.push(buf.subarray(from, s));
      from = s + 1;
    }
  }
  parts.push(buf.subarray(from));
  return Buffer.concat(parts);
}

function takeHeader(buf: Buffer, name: string): { value: string | null; rest: Buffer } {
  const prefix = `${name}: `;
  if (buf.subarray(0, prefix.length).toString('latin1') !== prefix) return { value: null, rest: buf };
  const lf = buf.indexOf(0x0a);
  const end = lf > 0 && buf[lf - 1] === 0x0d ? lf - 1 : lf;
  return { value: buf.subarray(prefix.length, end).toString('utf8'), rest: buf.subarray(lf + 1) };
}

export function readMboxrd(file: Buffer): MboxrdEntry[] {
  const starts = lineStarts(file).filter((s) => isFromLine(file, s));
  if (file.length > 0 && starts[0] !== 0) throw new Error('an mbox starts with a From_ line');
  return starts.map((start, k) => {
    const end = k + 1 < starts.length ? starts[k + 1] : file.length;
    const entry = file.subarray(start, end);
    const lf = entry.indexOf(0x0a);
    const fromLine = entry.subarray(0, lf).toString('utf8').replace(/\r$/, '');
    let body = entry.subarray(lf + 1);
    // The blank line that ends the entry: its line break (CRLF or LF).
    const cut = body.length >= 2 && body[body.length - 2] === 0x0d && body[body.length - 1] === 0x0a ? 2 : body[body.length - 1] === 0x0a ? 1 : 0;
    if (cut === 0) throw new Error(`entry ${k} does not end with a blank line`);
    body = body.subarray(0, body.length - cut);
    const thrid = takeHeader(body, 'X-GM-THRID');
    const labels = takeHeader(thrid.rest, 'X-Gmail-Labels');
    return { fromLine, thrid: thrid.value, labels: labels.value, bytes: unquote(labels.rest) };
  });
}
