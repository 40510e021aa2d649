// Issue 7, hostile input end to end: malformed MIME served by the emulator exactly as given (broken boundaries,
// bad base64, unknown charsets, 10k headers, deep nesting, huge lines, NUL bytes, …) and label names at Gmail's
// limits (unicode, slashes, 225 characters) go through a real sync: the sync ends, every message is stored with
// what could be read, the export equals the ground truth and the store stays sound. The parser's own seeded fuzz
// is test/unit/parse-fuzz.test.ts; this is the same promise with the whole pipeline in the way.
import { beforeAll, describe, expect, onTestFinished } from 'vitest';
import { addAccount, assertBuilt, exportOf, runCli } from '../helpers/cli';
import { mirrorTest } from '../helpers/fixtures';
import { openRawSqlite, storeFileOf } from '../helpers/raw-sqlite';

const CRLF = '\r\n';
const HEAD = (subject: string, extra = ''): string =>
  `From: Mallory <mallory@example.net>${CRLF}To: me@example.com${CRLF}Date: Tue, 3 Mar 2026 10:00:00 +0000${CRLF}` +
  `Subject: ${subject}${CRLF}Message-ID: <${Math.abs(hash(subject + extra))}@example.net>${CRLF}MIME-Version: 1.0${CRLF}${extra}`;

function hash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

function nested(depth: number): string {
  let open = '';
  let close = '';
  for (let i = 0; i < depth; i++) {
    open += `Content-Type: multipart/mixed; boundary="b${i}"${CRLF}${CRLF}--b${i}${CRLF}`;
    close = `${CRLF}--b${i}--${CRLF}` + close;
  }
  return `${open}Content-Type: text/plain${CRLF}${CRLF}deep inside the nest${close}`;
}

/** Each case: a name, the raw bytes, and what the reader can still find in the stored text (when anything). */
type Case = { name: string; raw: Buffer; subject: string; readable?: string };

function cases(): Case[] {
  const c: Case[] = [];
  const add = (name: string, raw: string | Buffer, subject: string, readable?: string) =>
    c.push({ name, raw: typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw, subject, readable });

  add('boundary never appears', HEAD('Broken boundary one', `Content-Type: multipart/alternative; boundary="nope"${CRLF}`) +
    `${CRLF}--other${CRLF}Content-Type: text/plain${CRLF}${CRLF}text under a boundary nobody declared${CRLF}--other--${CRLF}`, 'Broken boundary one');
  add('no closing boundary', HEAD('Broken boundary two', `Content-Type: multipart/mixed; boundary="x"${CRLF}`) +
    `${CRLF}--x${CRLF}Content-Type: text/plain${CRLF}${CRLF}unterminated multipart body${CRLF}--x${CRLF}Content-Type: text/html${CRLF}${CRLF}<p>half`, 'Broken boundary two', 'unterminated multipart body');
  add('multipart without a boundary parameter', HEAD('No boundary at all', `Content-Type: multipart/mixed${CRLF}`) +
    `${CRLF}just some text${CRLF}`, 'No boundary at all');
  add('bad base64', HEAD('Bad base64', `Content-Type: text/plain; charset=utf-8${CRLF}Content-Transfer-Encoding: base64${CRLF}`) +
    `${CRLF}SGVsbG8g!!!not*base64***d29ybGQ=====${CRLF}%%%${CRLF}`, 'Bad base64');
  add('bad quoted-printable', HEAD('Bad QP', `Content-Type: text/plain; charset=utf-8${CRLF}Content-Transfer-Encoding: quoted-printable${CRLF}`) +
    `${CRLF}caf=C3=A9 =ZZ =4 =${CRLF}end of qp${CRLF}`, 'Bad QP', 'end of qp');
  add('unknown body charset', HEAD('Unknown charset body', `Content-Type: text/plain; charset="x-unknown-42"${CRLF}`) +
    `${CRLF}plain ascii words in an unknown charset${CRLF}`, 'Unknown charset body', 'plain ascii words');
  add('unknown charset in an encoded word', HEAD('=?x-no-such-charset?B?aGVsbG8=?= =?utf-8?Q?caf=C3=A9?=') + `Content-Type: text/plain${CRLF}${CRLF}body${CRLF}`,
    // The unknown charset read as ASCII; adjacent encoded words join without the space between them (RFC 2047 §6.2).
    'hellocafé');
  // An encoded word whose base64 holds nothing decodes to nothing; an unterminated one stays as written.
  add('malformed encoded words', HEAD('=?utf-8?B?###?= =?utf-8?Q?unterminated') + `${CRLF}body text${CRLF}`, '=?utf-8?Q?unterminated');
  const many = Array.from({ length: 10_000 }, (_, i) => `X-Header-${i}: value ${i}${CRLF}`).join('');
  add('10k headers', HEAD('Ten thousand headers', many) + `Content-Type: text/plain${CRLF}${CRLF}after ten thousand headers${CRLF}`,
    'Ten thousand headers', 'after ten thousand headers');
  // Nesting as deep as the API renders parts (the emulator, like Gmail, stops splitting at some depth) is read to
  // the bottom; far deeper nesting must still not crash anything.
  add('deep nesting (35 levels)', HEAD('Nested deep') + nested(35), 'Nested deep', 'deep inside the nest');
  add('deep nesting (400 levels)', HEAD('Deep nesting') + nested(400), 'Deep nesting');
  add('huge line (3 MB, no newline)', HEAD('Huge line', `Content-Type: text/plain${CRLF}`) + `${CRLF}start ${'a'.repeat(3 * 1024 * 1024)} end`, 'Huge line', 'start');
  add('huge header line (200 KB)', HEAD('Huge header line', `X-Long: ${'b'.repeat(200 * 1024)}${CRLF}`) + `Content-Type: text/plain${CRLF}${CRLF}small body${CRLF}`,
    'Huge header line', 'small body');
  add('NUL bytes in headers and body', HEAD('Nul\u0000in\u0000subject', `X-Nul: a\u0000b${CRLF}Content-Type: text/plain${CRLF}`) +
    `${CRLF}before\u0000after${CRLF}\u0000\u0000\u0000${CRLF}`, 'Nulinsubject', 'after');
  add('raw 8-bit latin-1 header bytes', Buffer.concat([Buffer.from(`From: a@example.net${CRLF}To: me@example.com${CRLF}Subject: caf`), Buffer.from([0xe9]),
    Buffer.from(` cr${CRLF}Content-Type: text/plain; charset=iso-8859-1${CRLF}${CRLF}na`), Buffer.from([0xef]), Buffer.from(`ve${CRLF}`)]),
  // The API hands header values over as UTF-8 text, so a raw 8-bit byte arrives as U+FFFD already.
  'caf\ufffd cr', 'naïve');
  add('invalid UTF-8 everywhere', Buffer.concat([Buffer.from(`From: a@example.net${CRLF}Subject: bad `), Buffer.from([0xff, 0xfe, 0xc3]),
    Buffer.from(` utf8${CRLF}Content-Type: text/plain; charset=utf-8${CRLF}${CRLF}ok `), Buffer.from([0xc0, 0x80, 0xed, 0xa0, 0x80]), Buffer.from(` tail${CRLF}`)]),
  'bad \ufffd\ufffd\ufffd utf8', 'tail');
  add('headers only, no body', `From: a@example.net${CRLF}Subject: Headers only${CRLF}`, 'Headers only');
  add('no headers at all', `${CRLF}${CRLF}just a body with no headers${CRLF}`, '');
  add('binary garbage', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256)), '');
  // A lone CR ends no line (RFC 5322 §2.2): it is folded into the subject like other whitespace.
  add('bare LF and lone CR', `From: a@example.net\nSubject: Mixed line ends\rX: y\nContent-Type: text/plain\n\nline one\rline two\nline three\n`,
    'Mixed line ends X: y', 'line three');
  add('attachment with broken headers', HEAD('Broken attachment', `Content-Type: multipart/mixed; boundary="z"${CRLF}`) +
    `${CRLF}--z${CRLF}Content-Type: text/plain${CRLF}${CRLF}see attached${CRLF}--z${CRLF}Content-Type: application/octet-stream; name*=utf-8''%ZZ%E2%82%AC.bin${CRLF}` +
    `Content-Disposition: attachment; filename="unterminated${CRLF}Content-Transfer-Encoding: base64${CRLF}${CRLF}AAEC###${CRLF}--z--${CRLF}`, 'Broken attachment', 'see attached');
  add('message/rfc822 inside itself', HEAD('Forwarded twice', `Content-Type: message/rfc822${CRLF}`) + `${CRLF}` + HEAD('Inner', `Content-Type: message/rfc822${CRLF}`) +
    `${CRLF}Subject: innermost${CRLF}${CRLF}innermost body${CRLF}`, 'Forwarded twice');
  add('script and handlers in HTML', HEAD('<script>alert(1)</script>', `Content-Type: text/html; charset=utf-8${CRLF}`) +
    `${CRLF}<html><body onload="alert(1)"><script>alert(2)</script><img src="http://evil.example/x.png" onerror="alert(3)"><p>visible words</p></body></html>${CRLF}`,
  '<script>alert(1)</script>', 'visible words');
  return c;
}

const it = mirrorTest({ tempPrefix: 'mm-hostile-' });

describe('hostile input through a real sync', { timeout: 300_000 }, () => {
  beforeAll(assertBuilt);

  it('syncs malformed MIME and labels at the limits: stored with what can be read, never a crash, export equal', async ({ emu, dataDir, cliEnv: env }) => {
    const email = 'hostile@example.com';
    const box = emu.addAccount(email, { messages: 30, seed: 95 });
    // Label names at Gmail's limits: unicode, slashes (nesting), 225 characters, markup.
    const labelNames = [
      'Ünïcødé/日本語/Ελληνικά/😀 emoji',
      'a/b/c/d/e/f/g/h/i/j',
      '/leading slash',
      'trailing slash/',
      'double//slash',
      'x'.repeat(225),
      '日'.repeat(225),
      '<img src=x onerror=alert(1)>',
      `quotes "double" 'single' \\back\\slash`,
      'RTL \u202e gnp.exe',
    ];
    const labelIds = labelNames.map((n) => box.createLabel(n));
    const ids: { id: string; c: Case }[] = [];
    for (const [i, c] of cases().entries()) {
      // The emulator takes plain text or base64url; base64url keeps every byte as given.
      const id = box.addMessage({ raw: c.raw.toString('base64url'), subject: c.subject, labelIds: ['INBOX', labelIds[i % labelIds.length]] });
      ids.push({ id, c });
    }
    // The mailbox is filled before `account add`, as the user's would be.
    emu.setConsentAccount(email);
    expect((await addAccount(env)).code).toBe(0);
    const r = await runCli(['sync', '--wait'], env);
    expect(r.code, `${r.stderr}\n${r.stdout.slice(-1000)}`).toBe(0);
    expect(r.stderr).toBe('');

    // Labels and more hostile mail arriving later go through an incremental pass too.
    const deep = cases().find((c) => c.name === 'deep nesting (400 levels)')!;
    const late = box.addMessage({ raw: deep.raw.toString('base64url'), subject: deep.subject, labelIds: [labelIds[5]] });
    box.renameLabel(labelIds[0], 'Renamed/Ünïcødé/' + 'ü'.repeat(200));
    const r2 = await runCli(['sync', '--wait'], env);
    expect(r2.code, r2.stderr).toBe(0);

    const truth = box.groundTruth();
    expect(await exportOf(env, email, dataDir)).toEqual(truth);
    const db = openRawSqlite(storeFileOf(dataDir));
    onTestFinished(() => {
      db.close();
    });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const row = db.prepare('SELECT details_fetched AS f, subject, text_body AS text, html_body AS html, parse_error AS err FROM messages WHERE gmail_id = ?');
    for (const { id, c } of [...ids, { id: late, c: deep }]) {
      const m = row.get(id) as { f: number; subject: string | null; text: string | null; html: string | null; err: string | null } | undefined;
      expect(m, c.name).toBeDefined();
      expect(m!.f, c.name).toBe(1);
      const text = `${m!.subject ?? ''}\n${m!.text ?? ''}\n${m!.html ?? ''}`;
      expect(text.includes('\u0000'), `${c.name}: NUL stored`).toBe(false);
      if (c.readable) expect(text, c.name).toContain(c.readable);
    }
    // Found by full-text search: the index took the readable words of hostile mail.
    const hits = db.prepare("SELECT count(*) AS n FROM messages_fts WHERE messages_fts MATCH 'ten thousand headers'").get() as { n: number };
    expect(hits.n).toBeGreaterThan(0);
    const stored = db.prepare('SELECT name FROM labels WHERE gmail_id = ?');
    for (const [i, id] of labelIds.entries()) {
      const name = (stored.get(id) as { name: string }).name;
      expect(name).toBe(truth.labels.find((l) => l.id === id)!.name);
      if (i === 5 || i === 6) expect([...name]).toHaveLength(225);
    }
  });
});
