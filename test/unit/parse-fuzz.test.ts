// The parser must never throw, whatever Gmail (or a hostile sender) hands it: every message is
// stored with what could be read. Seeded, so a failure reproduces; bounded to a few seconds.
import type { gmail_v1 } from 'googleapis';
import { describe, expect, it } from 'vitest';
import { parseGmailMessage, type ParsedMessage } from '../../src/main/sync/parse-message';
import { rng } from '../helpers/rng';


const b64u = (s: string | Buffer): string => (typeof s === 'string' ? Buffer.from(s, 'utf8') : s).toString('base64url');

/** The parser's promise: a ParsedMessage with string-or-null fields and no NUL characters. */
function expectSane(p: ParsedMessage): void {
  expect(typeof p.gmailId).toBe('string');
  expect(typeof p.threadId).toBe('string');
  expect(Array.isArray(p.labelIds)).toBe(true);
  expect(Array.isArray(p.attachments)).toBe(true);
  for (const key of ['subject', 'from', 'to', 'cc', 'date', 'messageIdHeader', 'references', 'textBody', 'htmlBody', 'snippet', 'parseError'] as const) {
    const v = p[key];
    expect(v === null || typeof v === 'string', key).toBe(true);
    if (typeof v === 'string') expect(v.includes('\u0000'), key).toBe(false);
  }
  expect(p.internalDate === null || Number.isFinite(p.internalDate)).toBe(true);
}

/** Parses as is, and (for a raw resource) checks the original's pieces still make up its bytes. */
async function both(msg: unknown): Promise<[ParsedMessage, ParsedMessage]> {
  const p = parseGmailMessage(msg as gmail_v1.Schema$Message);
  expectSane(p);
  const raw = (msg as { raw?: unknown } | null)?.raw;
  if (typeof raw === 'string' && !(msg as { payload?: unknown }).payload) {
    expect(Buffer.concat(p.source!.pieces.map((x) => x.bytes!))).toEqual(Buffer.from(raw, 'base64url'));
  }
  return [p, p];
}

function rawMessage(headers: string, body: string): gmail_v1.Schema$Message {
  return { id: 'r', threadId: 'r', raw: Buffer.from(`${headers}\r\n\r\n${body}`, 'latin1').toString('base64url') };
}

describe('parser robustness', () => {
  it('survives inputs that are not messages at all', async () => {
    const junk: unknown[] = [
      null,
      undefined,
      0,
      'string',
      [],
      {},
      { id: 5, threadId: {}, labelIds: 'INBOX', internalDate: 'yesterday', sizeEstimate: 'big', snippet: 7 },
      { id: 'a', payload: null },
      { id: 'a', payload: 'text' },
      { id: 'a', payload: { parts: 'nope', headers: 'nope', body: 'nope' } },
      { id: 'a', payload: { mimeType: 'multipart/mixed', parts: [null, 1, 'x', { body: { data: 5 } }] } },
      { id: 'a', payload: { mimeType: 'text/plain', headers: [null, { name: 1, value: 2 }, { name: 'Subject' }], body: { data: null } } },
      { id: 'a', raw: '' },
      { id: 'a', raw: '!!!not base64!!!' },
      { id: 'a', raw: 12 },
    ];
    for (const j of junk) await both(j);
    expect(parseGmailMessage(null as unknown as gmail_v1.Schema$Message).parseError).toMatch(/no id/);
  });

  it('reads bodies from bad base64 and unknown charsets without failing', async () => {
    const [p] = await both({
      id: 'a',
      payload: {
        mimeType: 'multipart/alternative',
        parts: [
          { mimeType: 'text/plain', headers: [{ name: 'Content-Type', value: 'text/plain; charset=x-no-such-charset' }], body: { data: '@@@' + b64u('hello') + '%%%' } },
          { mimeType: 'text/html', headers: [{ name: 'Content-Type', value: 'text/html; charset="' }], body: { data: 'ÿÿÿ' } },
        ],
      },
    });
    expect(p.textBody).toContain('hello');
  });

  it('handles 10,000 headers, a 1 MB header and a 4 MB single-line body', async () => {
    const headers = Array.from({ length: 10_000 }, (_, i) => ({ name: `X-H${i}`, value: `v${i}` }));
    headers.push({ name: 'Subject', value: 'found' }, { name: 'From', value: '=?utf-8?q?' + 'a'.repeat(1_000_000) + '?=' });
    const body = 'x'.repeat(4 * 1024 * 1024);
    const [p] = await both({ id: 'a', payload: { mimeType: 'text/plain', headers, body: { data: b64u(body) } } });
    expect(p.subject).toBe('found');
    expect(p.textBody?.length).toBe(body.length);
    const rawHeaders = Array.from({ length: 10_000 }, (_, i) => `X-H${i}: v${i}`).join('\r\n') + '\r\nSubject: raw found';
    const [, r] = await both(rawMessage(rawHeaders, 'y'.repeat(1024 * 1024)));
    expect(r.subject).toBe('raw found');
  });

  it('handles 1,000 levels of nesting in both formats', async () => {
    let part: gmail_v1.Schema$MessagePart = { mimeType: 'text/plain', body: { data: b64u('deep text') } };
    for (let i = 0; i < 1000; i++) part = { mimeType: 'multipart/mixed', parts: [part] };
    const [p] = await both({ id: 'a', payload: { ...part, headers: [{ name: 'Subject', value: 'deep' }] } });
    expect(p.textBody).toBe('deep text');
    expect(p.subject).toBe('deep');

    let raw = 'deep raw text';
    let ct = 'text/plain';
    for (let i = 0; i < 1000; i++) {
      raw = `--b${i}\r\nContent-Type: ${ct}\r\n\r\n${raw}\r\n--b${i}--`;
      ct = `multipart/mixed; boundary="b${i}"`;
    }
    const [, r] = await both(rawMessage(`Subject: nested\r\nContent-Type: ${ct}`, raw));
    expect(r.subject).toBe('nested');
    expect(r.parseError === null || /nesting|depth|raw MIME/i.test(r.parseError)).toBe(true);
  });

  it('copes with broken boundaries and NUL bytes', async () => {
    const cases = [
      ['Content-Type: multipart/mixed; boundary="never"\r\nSubject: a\u0000b', 'text without any boundary\u0000'],
      ['Content-Type: multipart/mixed; boundary="x"', '--x\r\nContent-Type: text/plain\r\n\r\nunterminated'],
      ['Content-Type: multipart/mixed; boundary=""', '--\r\n\r\n--'],
      ['Content-Type: multipart/alternative', '--\r\n--'],
      ['Content-Type: multipart/mixed; boundary="x"', '--x\r\nContent-Type: multipart/mixed; boundary="x"\r\n\r\n--x\r\n--x--'],
      ['Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64', '!!!!====$$$$'],
      ['Content-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable', '=ZZ=\r\n=0'],
    ];
    for (const [h, b] of cases) {
      const [, r] = await both(rawMessage(h, b));
      expect(r.gmailId).toBe('r');
    }
    const [p] = await both({ id: 'n', payload: { mimeType: 'text/plain', headers: [{ name: 'Subject', value: 'nul\u0000here' }], body: { data: b64u('a\u0000b') } } });
    expect(p.subject).toBe('nulhere');
    expect(p.textBody).toBe('ab');
  });

  it('survives random structural and byte mutations (seeded)', async () => {
    const rand = rng(20_240_601);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
    const values: unknown[] = [null, undefined, '', 0, -1, 1e308, NaN, 'x', '=?', '=?utf-8?b?', '%%', {}, [], [null], true, '\u0000', '\ud800'];
    const charsets = ['utf-8', 'iso-2022-jp', 'x-bogus', 'utf-7', 'windows-1252', '', '"', 'iso-8859-1*en', 'replacement'];

    function randomPart(depth: number): gmail_v1.Schema$MessagePart {
      if (depth > 0 && rand() < 0.4) {
        return {
          mimeType: pick(['multipart/mixed', 'multipart/alternative', 'multipart/related', 'multipart/x']),
          headers: [{ name: 'Content-Type', value: 'multipart/mixed; boundary="z"' }],
          parts: Array.from({ length: 1 + Math.floor(rand() * 3) }, () => randomPart(depth - 1)),
        };
      }
      const type = pick(['text/plain', 'text/html', 'image/png', 'application/pdf', 'message/rfc822', '', 'TEXT/PLAIN']);
      const bytes = Buffer.from(Array.from({ length: Math.floor(rand() * 200) }, () => Math.floor(rand() * 256)));
      return {
        partId: String(Math.floor(rand() * 10)),
        mimeType: type,
        filename: rand() < 0.3 ? pick(['a.pdf', '=?utf-8?q?f=C3=BC.txt?=', '', '\u0000']) : '',
        headers: [
          { name: 'Content-Type', value: `${type}; charset=${pick(charsets)}; name*0*=utf-8''%E2%82; name*1*=%AC` },
          { name: pick(['Content-Disposition', 'Content-ID', 'X']), value: pick(['attachment; filename="x"', '<cid>', 'inline', '']) },
        ],
        body: rand() < 0.2 ? { attachmentId: 'att', size: bytes.length } : { data: rand() < 0.8 ? bytes.toString('base64url') : bytes.toString('latin1'), size: bytes.length },
      };
    }

    function mutate(o: unknown, depth = 0): unknown {
      if (depth > 8 || o === null || typeof o !== 'object') return rand() < 0.05 ? pick(values) : o;
      if (Array.isArray(o)) return o.map((v) => mutate(v, depth + 1));
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(o)) {
        if (rand() < 0.05) continue;
        out[k] = rand() < 0.05 ? pick(values) : mutate(v, depth + 1);
      }
      return out;
    }

    for (let i = 0; i < 400; i++) {
      const msg = {
        id: `f${i}`,
        threadId: 't',
        labelIds: ['INBOX'],
        historyId: '1',
        internalDate: '1700000000000',
        payload: {
          ...randomPart(4),
          headers: [
            { name: 'Subject', value: pick(['=?utf-8?q?ok?=', '=?iso-2022-jp?b?GyRCJDMbKEI=?=', '=?x?x?x?=', '=?utf-8?b?@@@?=', 'plain']) },
            { name: 'From', value: pick(['a@b', '"unterminated <x@y', '=?utf-8?q?=FF=FE?= <z@z>']) },
          ],
        },
      };
      await both(i % 2 === 0 ? msg : mutate(msg));
    }

    const seedRaw = Buffer.from(
      'From: a@example.com\r\nSubject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\nContent-Type: multipart/mixed; boundary="q"\r\n\r\n' +
        '--q\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\ncaf=E9\r\n' +
        '--q\r\nContent-Type: application/pdf; name="a.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQ=\r\n--q--\r\n',
      'latin1',
    );
    for (let i = 0; i < 150; i++) {
      const bytes = Buffer.from(seedRaw);
      const edits = 1 + Math.floor(rand() * 20);
      for (let e = 0; e < edits; e++) bytes[Math.floor(rand() * bytes.length)] = Math.floor(rand() * 256);
      await both({ id: `r${i}`, raw: bytes.subarray(0, Math.floor(rand() * bytes.length) + 1).toString('base64url') });
    }
  });
});
