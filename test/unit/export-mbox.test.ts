// The mboxrd entries and Takeout's headers (src/main/export/mbox.ts, takeout-labels.ts), read back by an mbox reader
// written apart from them (test/helpers/mboxrd-reader.ts).
import { describe, expect, it } from 'vitest';
import { asctime, mboxEntry, type MboxMessage } from '../../src/main/export/mbox';
import { decimalGmailId, takeoutLabels } from '../../src/main/export/takeout-labels';
import { readMboxrd } from '../helpers/mboxrd-reader';

const NAMES = new Map([
  ['INBOX', 'INBOX'],
  ['Label_1', 'Work/Projects'],
  ['Label_2', 'Trips, 2023'],
  ['Label_3', 'The "A" team'],
  ['Label_4', 'Zürich'],
]);

const msg = (bytes: Buffer | string, over: Partial<MboxMessage> = {}): MboxMessage => ({
  gmailId: '18c1f2a3b4c5d6e7',
  threadId: '18c1f2a3b4c5d6e0',
  internalDate: Date.UTC(2018, 5, 4, 16, 30, 29),
  labelIds: ['INBOX', 'UNREAD'],
  bytes: typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes,
  ...over,
});

const mboxOf = (...ms: MboxMessage[]) => Buffer.concat(ms.flatMap((m) => [...mboxEntry(m, NAMES)]));

describe('X-Gmail-Labels as Takeout writes it', () => {
  it('names system labels with Takeout words in its order, then user labels by name', () => {
    expect(takeoutLabels(['INBOX', 'IMPORTANT', 'CATEGORY_PERSONAL'], NAMES)).toBe('Inbox,Important,Opened,Category Personal');
    expect(takeoutLabels(['SENT'], NAMES)).toBe('Sent,Opened');
    expect(takeoutLabels(['Label_1', 'CATEGORY_UPDATES', 'IMPORTANT'], NAMES)).toBe('Archived,Important,Opened,Category Updates,Work/Projects');
    expect(takeoutLabels(['UNREAD', 'STARRED', 'SPAM'], NAMES)).toBe('Spam,Starred,Unread');
    expect(takeoutLabels(['TRASH', 'DRAFT', 'CATEGORY_PROMOTIONS', 'CATEGORY_SOCIAL', 'CATEGORY_FORUMS'], NAMES)).toBe(
      'Trash,Drafts,Opened,Category Social,Category Promotions,Category Forums',
    );
    expect(takeoutLabels(['CHAT'], NAMES)).toBe('Chat,Opened');
  });

  it('quotes names holding commas or quotes as CSV does, keeps other text as it is, never breaks the line', () => {
    expect(takeoutLabels(['INBOX', 'Label_2', 'Label_3', 'Label_4'], NAMES)).toBe('Inbox,Opened,"The ""A"" team","Trips, 2023",Zürich');
    expect(takeoutLabels(['Label_9'], new Map([['Label_9', 'two\r\nlines']]))).toBe('Archived,Opened,two lines');
    // A label the account no longer has is named by its id rather than dropped.
    expect(takeoutLabels(['INBOX', 'Label_77'], NAMES)).toBe('Inbox,Opened,Label_77');
  });

  it('prints Gmail ids in decimal, as Takeout does', () => {
    expect(decimalGmailId('172c5f3ca3c44b2c')).toBe('1669814275897838380');
    expect(decimalGmailId('m1')).toBe('m1');
  });
});

describe('mboxrd entries', () => {
  it('starts with an RFC 4155 From_ line and the two Takeout headers', () => {
    const [e] = readMboxrd(mboxOf(msg('Subject: hi\n\nbody\n')));
    expect(e.fromLine).toBe(`From ${BigInt('0x18c1f2a3b4c5d6e7')}@xxx Mon Jun  4 16:30:29 2018`);
    expect(e.thrid).toBe(String(BigInt('0x18c1f2a3b4c5d6e0')));
    expect(e.labels).toBe('Inbox,Unread');
    expect(asctime(Date.UTC(2020, 10, 21, 1, 2, 3))).toBe('Sat Nov 21 01:02:03 2020');
    expect(asctime(null)).toBe('Thu Jan  1 00:00:00 1970');
    expect(asctime(Date.UTC(1965, 0, 2))).toBe('Sat Jan  2 00:00:00 1965');
  });

  it('quotes From_ lines at every depth and gives them back unchanged', () => {
    const body = [
      'From: a@example.com',
      'Subject: From the past',
      '',
      'From here on',
      '>From quoted once',
      '>>>From quoted thrice',
      ' From not at a line start',
      'From',
      'Fromage',
      '>From',
      'x From y',
      'From ',
      '',
    ].join('\n');
    const file = mboxOf(msg(body), msg('Subject: second\n\nFrom end\n'));
    const text = file.toString('utf8');
    // Every line the source starts with "From " or ">…From " carries one more '>' in the file.
    expect(text).toContain('\n>From here on\n>>From quoted once\n>>>>From quoted thrice\n From not at a line start\nFrom\nFromage\n>From\nx From y\n>From \n');
    expect(text.match(/^From /gm)).toHaveLength(2);
    const back = readMboxrd(file);
    expect(back).toHaveLength(2);
    expect(back[0].bytes.equals(Buffer.from(body))).toBe(true);
    expect(back[1].bytes.toString()).toBe('Subject: second\n\nFrom end\n');
  });

  it('quotes a From_ line that opens the source itself', () => {
    const body = 'From someone@example.com Mon Jan  1 00:00:00 2024\nSubject: x\n\nhi\n';
    const file = mboxOf(msg(body));
    expect(file.toString()).toContain('\n>From someone@example.com');
    expect(readMboxrd(file)[0].bytes.toString()).toBe(body);
  });

  it('keeps CRLF sources CRLF, the entry lines included, and reads them back byte for byte', () => {
    const body = 'Subject: crlf\r\n\r\nFrom the start\r\n>From again\r\nend\r\n';
    const file = mboxOf(msg(body), msg('Subject: lf\n\nlf body\n'));
    const text = file.toString();
    expect(text.startsWith(`From ${BigInt('0x18c1f2a3b4c5d6e7')}@xxx Mon Jun  4 16:30:29 2018\r\nX-GM-THRID: `)).toBe(true);
    expect(text).toContain('X-Gmail-Labels: Inbox,Unread\r\nSubject: crlf\r\n\r\n>From the start\r\n>>From again\r\nend\r\n\r\nFrom ');
    const back = readMboxrd(file);
    expect(back.map((e) => e.bytes.toString())).toEqual([body, 'Subject: lf\n\nlf body\n']);
  });

  it('ends a source without a final line break with one (the only change the format forces)', () => {
    const file = mboxOf(msg('Subject: open\n\nno newline at the end'), msg('Subject: next\n\nx\n'));
    const back = readMboxrd(file);
    expect(back.map((e) => e.bytes.toString())).toEqual(['Subject: open\n\nno newline at the end\n', 'Subject: next\n\nx\n']);
  });

  it('writes 8-bit bytes as they are', () => {
    const body = Buffer.concat([Buffer.from('Subject: latin1\nContent-Type: text/plain; charset=iso-8859-1\n\n'), Buffer.from([0xe9, 0xff, 0x00, 0x80, 0x0a])]);
    const back = readMboxrd(mboxOf(msg(body)));
    expect(back[0].bytes.equals(body)).toBe(true);
  });

  it('points into a large source instead of copying it, and still quotes its From_ lines', () => {
    const line = 'From a line that must be quoted, and some more text to fill the line up.\n';
    const big = Buffer.from(`Subject: big\n\n${line.repeat(200_000)}`);
    const pieces = [...mboxEntry(msg(big), NAMES)];
    // The pieces that hold the source share its memory.
    expect(pieces.filter((p) => p.buffer === big.buffer).length).toBeGreaterThan(100_000);
    const back = readMboxrd(Buffer.concat(pieces));
    expect(back[0].bytes.equals(big)).toBe(true);
  });

  it('writes an empty source as an entry of its own', () => {
    const back = readMboxrd(mboxOf(msg(''), msg('Subject: after\n\n.\n')));
    expect(back.map((e) => e.bytes.toString())).toEqual(['', 'Subject: after\n\n.\n']);
  });
});
