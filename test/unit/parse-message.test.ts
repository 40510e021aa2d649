// Real MIME shapes, read both as Gmail's format=full payload tree and as format=raw RFC 822.
import iconv from 'iconv-lite';
import type { gmail_v1 } from 'googleapis';
import { describe, expect, it } from 'vitest';
import { parseGmailMessage } from '../../src/main/sync/parse-message';
import { decodeBytes } from '../../src/main/sync/mime/charset';
import { decodeHeaderValue, parseHeaderParams } from '../../src/main/sync/mime/headers';
import { decodeHtmlEntities, htmlToText } from '../../src/main/sync/mime/html-text';

// ---- building samples -------------------------------------------------------------------------

type Cte = '7bit' | '8bit' | 'base64' | 'quoted-printable';
type PartSpec = {
  contentType: string;
  headers?: Array<[string, string]>;
  cte?: Cte;
  content?: Buffer;
  /** Gmail keeps attachments external: body.attachmentId instead of data. */
  attachmentId?: string;
  filename?: string;
  parts?: PartSpec[];
};

/** ISO-2022-JP (RFC 1468): JIS X 0208 = EUC-JP bytes with the high bit cleared, between escapes. */
function iso2022jp(text: string): Buffer {
  const out: number[] = [];
  let run = '';
  const flush = () => {
    if (!run) return;
    out.push(0x1b, 0x24, 0x42, ...[...iconv.encode(run, 'euc-jp')].map((b) => b & 0x7f), 0x1b, 0x28, 0x42);
    run = '';
  };
  for (const ch of text) {
    if (ch.charCodeAt(0) < 0x80) {
      flush();
      out.push(ch.charCodeAt(0));
    } else run += ch;
  }
  flush();
  return Buffer.from(out);
}

function qp(bytes: Buffer): string {
  let out = '';
  let line = 0;
  for (const b of bytes) {
    const chunk = b === 0x0a ? '\n' : b === 0x0d ? '' : b === 0x3d || b > 0x7e || (b < 0x20 && b !== 0x09) ? `=${b.toString(16).toUpperCase().padStart(2, '0')}` : String.fromCharCode(b);
    if (chunk === '\n') {
      out += '\r\n';
      line = 0;
      continue;
    }
    if (line + chunk.length > 75) {
      out += '=\r\n';
      line = 0;
    }
    out += chunk;
    line += chunk.length;
  }
  return out;
}

let boundarySeq = 0;
function toRaw(part: PartSpec, top: Array<[string, string]> = []): string {
  const lines: string[] = [...top.map(([k, v]) => `${k}: ${v}`)];
  if (part.parts) {
    const boundary = `b${++boundarySeq}_=_x`;
    lines.push(`Content-Type: ${part.contentType}; boundary="${boundary}"`);
    for (const [k, v] of part.headers ?? []) lines.push(`${k}: ${v}`);
    lines.push('', 'This is a multi-part message in MIME format.');
    for (const child of part.parts) lines.push(`--${boundary}`, toRaw(child));
    lines.push(`--${boundary}--`, '');
    return lines.join('\r\n');
  }
  const cte = part.cte ?? '7bit';
  lines.push(`Content-Type: ${part.contentType}`, `Content-Transfer-Encoding: ${cte}`);
  for (const [k, v] of part.headers ?? []) lines.push(`${k}: ${v}`);
  const content = part.content ?? Buffer.alloc(0);
  const body =
    cte === 'base64'
      ? (content.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n')
      : cte === 'quoted-printable'
        ? qp(content)
        : content.toString('latin1').replace(/\r?\n/g, '\r\n');
  lines.push('', body);
  return lines.join('\r\n');
}

/** What Gmail's format=full returns for the same structure (body.data = transfer-decoded bytes). */
function toGmail(part: PartSpec, partId: string, top: Array<[string, string]> = []): gmail_v1.Schema$MessagePart {
  const headers = [
    ...top.map(([name, value]) => ({ name, value })),
    { name: 'Content-Type', value: part.parts ? `${part.contentType}; boundary="x"` : part.contentType },
    ...(part.parts ? [] : [{ name: 'Content-Transfer-Encoding', value: part.cte ?? '7bit' }]),
    ...(part.headers ?? []).map(([name, value]) => ({ name, value })),
  ];
  const mimeType = part.contentType.split(';')[0].trim();
  if (part.parts) {
    return {
      partId,
      mimeType,
      filename: '',
      headers,
      body: { size: 0 },
      parts: part.parts.map((p, i) => toGmail(p, partId === '' ? String(i) : `${partId}.${i}`)),
    };
  }
  const content = part.content ?? Buffer.alloc(0);
  return {
    partId,
    mimeType,
    filename: part.filename ?? '',
    headers,
    body: part.attachmentId
      ? { attachmentId: part.attachmentId, size: content.length }
      : { size: content.length, data: content.toString('base64url') },
  };
}

type Sample = { top: Array<[string, string]>; root: PartSpec };

function gmailFull(s: Sample, extra: Partial<gmail_v1.Schema$Message> = {}): gmail_v1.Schema$Message {
  return {
    id: '18c0ffee',
    threadId: '18c0ffee',
    labelIds: ['INBOX', 'UNREAD', 'CATEGORY_PERSONAL'],
    historyId: '987654',
    internalDate: '1700000000000',
    sizeEstimate: 4321,
    snippet: 'It&#39;s &quot;here&quot; &amp; there',
    payload: toGmail(s.root, '', s.top),
    ...extra,
  };
}

function gmailRaw(s: Sample): gmail_v1.Schema$Message {
  return {
    id: '18c0ffee',
    threadId: '18c0ffee',
    labelIds: ['INBOX'],
    historyId: '987654',
    internalDate: '1700000000000',
    sizeEstimate: 4321,
    snippet: 'snip',
    raw: Buffer.from(toRaw(s.root, s.top), 'latin1').toString('base64url'),
  };
}

const baseTop: Array<[string, string]> = [
  ['Date', 'Tue, 14 Nov 2023 22:13:20 +0100'],
  ['Message-ID', '<abc.123@mail.example.com>'],
  ['References', '<parent.1@example.com> <parent.2@example.com>'],
  ['MIME-Version', '1.0'],
];

// ---- samples ----------------------------------------------------------------------------------

const alternative: Sample = {
  top: [
    ['From', '=?iso-8859-1?q?Andr=E9_M=FCller?= <andre@example.de>'],
    ['To', '"Bob" <bob@example.com>, =?UTF-8?B?QmrDtnJu?= <bjorn@example.se>'],
    ['Cc', 'carol@example.com'],
    ['Bcc', '=?UTF-8?Q?D=C3=A9sir=C3=A9e?= <desiree@example.fr>'],
    ['Subject', '=?UTF-8?B?R3LDvMOfZSBhdXMg?= =?UTF-8?Q?M=C3=BCnchen_=E2=82=AC?='],
    ...baseTop,
  ],
  root: {
    contentType: 'multipart/alternative',
    parts: [
      { contentType: 'text/plain; charset=ISO-8859-1', cte: 'quoted-printable', content: iconv.encode('Grüße aus München, Café = gut.\n' + 'x'.repeat(120), 'latin1') },
      { contentType: 'text/html; charset="utf-8"', cte: 'base64', content: Buffer.from('<p>Grüße aus <b>München</b></p>', 'utf8') },
    ],
  },
};

const japanese: Sample = {
  top: [
    ['From', '=?ISO-2022-JP?B?' + iso2022jp('山田太郎').toString('base64') + '?= <yamada@example.jp>'],
    ['To', 'you@example.com'],
    ['Subject', '=?ISO-2022-JP?B?' + iso2022jp('会議の件').toString('base64') + '?='],
    ...baseTop,
  ],
  root: { contentType: 'text/plain; charset=ISO-2022-JP', cte: '7bit', content: iso2022jp('明日の会議は10時からです。\nよろしくお願いします。') },
};

const pdf = Buffer.from('%PDF-1.4 fake pdf bytes\n'.repeat(50));
const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
const mixed: Sample = {
  top: [['From', 'a@example.com'], ['To', 'b@example.com'], ['Subject', 'Report attached'], ...baseTop],
  root: {
    contentType: 'multipart/mixed',
    parts: [
      {
        contentType: 'multipart/related',
        parts: [
          {
            contentType: 'multipart/alternative',
            parts: [
              { contentType: 'text/plain; charset=utf-8', cte: 'quoted-printable', content: Buffer.from('See the chart and the report.', 'utf8') },
              { contentType: 'text/html; charset=utf-8', cte: 'quoted-printable', content: Buffer.from('<p>See <img src="cid:chart@x"> the report.</p>', 'utf8') },
            ],
          },
          {
            contentType: 'image/png; name="chart.png"',
            cte: 'base64',
            content: png,
            filename: 'chart.png',
            attachmentId: 'ATT-IMG',
            headers: [
              ['Content-ID', '<chart@x>'],
              ['Content-Disposition', 'inline; filename="chart.png"'],
            ],
          },
        ],
      },
      {
        contentType: 'application/pdf',
        cte: 'base64',
        content: pdf,
        filename: 'Bericht Größe.pdf',
        attachmentId: 'ATT-PDF',
        headers: [['Content-Disposition', "attachment; filename*=utf-8''Bericht%20Gr%C3%B6%C3%9Fe.pdf"]],
      },
      {
        contentType: 'text/plain; charset=utf-8',
        cte: 'base64',
        content: Buffer.from('a,b\n1,2\n'),
        filename: 'data.csv',
        attachmentId: 'ATT-CSV',
        headers: [['Content-Disposition', 'attachment; filename="data.csv"']],
      },
    ],
  },
};

const legacyCharsets: Sample = {
  top: [
    ['From', '=?koi8-r?B?' + iconv.encode('Иван', 'koi8-r').toString('base64') + '?= <ivan@example.ru>'],
    ['To', 'x@example.com'],
    ['Subject', '=?gb2312?B?' + iconv.encode('你好', 'gb2312').toString('base64') + '?= =?windows-1252?Q?=93quoted=94?='],
    ...baseTop,
  ],
  root: {
    contentType: 'text/plain; charset=windows-1252',
    cte: 'quoted-printable',
    content: iconv.encode('\u201cSmart quotes\u201d \u2014 caf\u00e9 \u20ac5', 'windows-1252'),
  },
};

const htmlOnly: Sample = {
  top: [['From', 'news@example.com'], ['To', 'me@example.com'], ['Subject', 'Newsletter'], ...baseTop],
  root: {
    contentType: 'text/html; charset=utf-8',
    cte: 'quoted-printable',
    content: Buffer.from(
      '<html><head><title>T</title><style>p{color:red}</style></head><body><h1>Big&nbsp;news</h1>' +
        '<p>Caf&eacute; &amp; cr&#232;me &#x1F600;</p><script>alert(1)</script><div>Line two<br>Line three</div><!-- hidden --></body></html>',
      'utf8',
    ),
  },
};

// ---- tests ------------------------------------------------------------------------------------

describe('parseGmailMessage (format=full)', () => {
  it('reads the resource fields and decodes the snippet', () => {
    const p = parseGmailMessage(gmailFull(alternative));
    expect(p).toMatchObject({
      gmailId: '18c0ffee',
      threadId: '18c0ffee',
      labelIds: ['INBOX', 'UNREAD', 'CATEGORY_PERSONAL'],
      historyId: '987654',
      internalDate: 1_700_000_000_000,
      sizeEstimate: 4321,
      snippet: 'It\'s "here" & there',
      parseError: null,
    });
  });

  it('decodes encoded-word headers in several charsets and picks both alternatives', () => {
    const p = parseGmailMessage(gmailFull(alternative));
    expect(p.subject).toBe('Grüße aus München €');
    expect(p.from).toBe('André Müller <andre@example.de>');
    expect(p.to).toBe('"Bob" <bob@example.com>, Björn <bjorn@example.se>');
    expect(p.cc).toBe('carol@example.com');
    // Kept for bcc: (Gmail keeps the Bcc header on mail the user sent).
    expect(p.bcc).toBe('Désirée <desiree@example.fr>');
    expect(p.date).toBe('Tue, 14 Nov 2023 22:13:20 +0100');
    expect(p.messageIdHeader).toBe('<abc.123@mail.example.com>');
    expect(p.references).toBe('<parent.1@example.com> <parent.2@example.com>');
    expect(p.textBody).toBe('Grüße aus München, Café = gut.\n' + 'x'.repeat(120));
    expect(p.htmlBody).toBe('<p>Grüße aus <b>München</b></p>');
    expect(p.attachments).toEqual([]);
  });

  it('leaves headers Gmail already decoded as they are', () => {
    const s: Sample = { ...alternative, top: [['Subject', 'Grüße =?= a=?b ?= literal'], ['From', 'André <a@example.com>']] };
    const p = parseGmailMessage(gmailFull(s));
    expect(p.subject).toBe('Grüße =?= a=?b ?= literal');
    expect(p.from).toBe('André <a@example.com>');
  });

  it('reads ISO-2022-JP headers and body', () => {
    const p = parseGmailMessage(gmailFull(japanese));
    expect(p.subject).toBe('会議の件');
    expect(p.from).toBe('山田太郎 <yamada@example.jp>');
    expect(p.textBody).toBe('明日の会議は10時からです。\nよろしくお願いします。');
    expect(p.htmlBody).toBeNull();
  });

  it('lists attachments and inline images with their metadata, not as bodies', () => {
    const p = parseGmailMessage(gmailFull(mixed));
    expect(p.textBody).toBe('See the chart and the report.');
    expect(p.htmlBody).toBe('<p>See <img src="cid:chart@x"> the report.</p>');
    expect(p.attachments).toEqual([
      { gmailAttachmentId: 'ATT-IMG', partId: '0.1', filename: 'chart.png', mimeType: 'image/png', size: png.length, contentId: 'chart@x', transferEncoding: null },
      { gmailAttachmentId: 'ATT-PDF', partId: '1', filename: 'Bericht Größe.pdf', mimeType: 'application/pdf', size: pdf.length, contentId: null, transferEncoding: null },
      { gmailAttachmentId: 'ATT-CSV', partId: '2', filename: 'data.csv', mimeType: 'text/plain', size: 8, contentId: null, transferEncoding: null },
    ]);
  });

  it('takes the file name from the MIME headers when Gmail gives none', () => {
    const g = gmailFull(mixed);
    g.payload!.parts![1].filename = '';
    expect(parseGmailMessage(g).attachments[1].filename).toBe('Bericht Größe.pdf');
  });

  it('decodes KOI8-R, GB2312 and Windows-1252', () => {
    const p = parseGmailMessage(gmailFull(legacyCharsets));
    expect(p.from).toBe('Иван <ivan@example.ru>');
    // RFC 2047 §6.2: whitespace between adjacent encoded words is not part of the text.
    expect(p.subject).toBe('你好\u201cquoted\u201d');
    expect(p.textBody).toBe('\u201cSmart quotes\u201d \u2014 caf\u00e9 \u20ac5');
  });

  it('renders HTML-only messages as text for search', () => {
    const p = parseGmailMessage(gmailFull(htmlOnly));
    expect(p.htmlBody).toContain('<h1>Big&nbsp;news</h1>');
    expect(p.textBody).toBe('Big\u00a0news\nCafé & crème 😀\nLine two\nLine three'.replace('\u00a0', ' '));
  });

  it('falls back for unknown charsets: UTF-8 when valid, else Latin-1', () => {
    const utf = { contentType: 'text/plain; charset=x-unknown-thing', content: Buffer.from('naïve ✓', 'utf8') };
    const latin = { contentType: 'text/plain; charset=x-unknown-thing', content: Buffer.from([0x63, 0x61, 0x66, 0xe9]) };
    expect(parseGmailMessage(gmailFull({ top: [], root: utf })).textBody).toBe('naïve ✓');
    expect(parseGmailMessage(gmailFull({ top: [], root: latin })).textBody).toBe('café');
  });

  it('keeps a body Gmail stores externally as a fetchable part', () => {
    const s: Sample = { top: [['Subject', 'big']], root: { contentType: 'text/html; charset=utf-8', content: Buffer.alloc(10), attachmentId: 'BIG-BODY' } };
    const p = parseGmailMessage(gmailFull(s));
    expect(p.htmlBody).toBeNull();
    expect(p.attachments).toEqual([{ gmailAttachmentId: 'BIG-BODY', partId: '', filename: null, mimeType: 'text/html', size: 10, contentId: null, transferEncoding: null }]);
  });

  it('reads format=metadata (headers, no bodies) without error', () => {
    const p = parseGmailMessage({ id: 'm', threadId: 't', internalDate: '5', payload: { mimeType: 'multipart/mixed', headers: [{ name: 'Subject', value: 'Only headers' }] } });
    expect(p).toMatchObject({ subject: 'Only headers', textBody: null, htmlBody: null, parseError: null, internalDate: 5 });
  });

  it('returns what it can with parseError set for a message without payload', () => {
    const p = parseGmailMessage({ id: 'm1', threadId: 't1', labelIds: ['INBOX'], internalDate: '1700000000000' });
    expect(p).toMatchObject({ gmailId: 'm1', threadId: 't1', labelIds: ['INBOX'], subject: null, textBody: null });
    expect(p.parseError).toMatch(/no payload/);
  });

  it('uses the Date header when internalDate is missing', () => {
    const p = parseGmailMessage({ id: 'm', payload: { mimeType: 'text/plain', headers: [{ name: 'Date', value: 'Tue, 14 Nov 2023 22:13:20 +0000' }], body: { data: '' } } });
    expect(p.internalDate).toBe(Date.UTC(2023, 10, 14, 22, 13, 20));
    expect(p.threadId).toBe('m');
  });
});

describe('parseGmailMessage (format=raw)', () => {
  for (const [name, sample] of Object.entries({ alternative, japanese, mixed, legacyCharsets, htmlOnly })) {
    it(`reads the ${name} sample like format=full`, async () => {
      const full = parseGmailMessage(gmailFull(sample));
      const raw = parseGmailMessage(gmailRaw(sample));
      expect(raw.parseError).toBeNull();
      for (const key of ['subject', 'from', 'to', 'cc', 'bcc', 'date', 'messageIdHeader', 'references'] as const) {
        expect(raw[key], key).toBe(full[key]);
      }
      // The sample's format=full bodies have bare LF where its original has CRLF (Gmail's keep the original's).
      expect(raw.textBody?.replace(/\r\n/g, '\n').trim()).toBe(full.textBody?.replace(/\r\n/g, '\n').trim());
      expect(raw.htmlBody === null).toBe(full.htmlBody === null);
      expect(raw.attachments.map((a) => [a.filename, a.mimeType, a.size, a.contentId])).toEqual(
        full.attachments.map((a) => [a.filename, a.mimeType, a.size, a.contentId]),
      );
    });
  }

  it('keeps the original of a raw resource, in pieces that put together are its bytes', () => {
    const raw = gmailRaw(mixed);
    const p = parseGmailMessage(raw);
    expect(p.source).toBeDefined();
    expect(Buffer.concat(p.source!.pieces.map((x) => x.bytes!))).toEqual(Buffer.from(raw.raw!, 'base64url'));
    expect(parseGmailMessage(gmailFull(mixed)).source).toBeUndefined();
  });
});

describe('MIME helpers', () => {
  it('decodes bytes in many charsets', () => {
    expect(decodeBytes(iconv.encode('Grüße', 'iso-8859-15'), 'ISO-8859-15')).toBe('Grüße');
    expect(decodeBytes(iconv.encode('日本語', 'shift_jis'), 'Shift_JIS')).toBe('日本語');
    expect(decodeBytes(iconv.encode('日本語', 'cp932'), 'x-sjis')).toBe('日本語');
    expect(decodeBytes(iconv.encode('한국어', 'euc-kr'), 'ks_c_5601-1987')).toBe('한국어');
    expect(decodeBytes(iconv.encode('€', 'windows-1252'), 'cp1252')).toBe('€');
    expect(decodeBytes(iconv.encode('Hi Mom -☺-!', 'utf7'), 'UTF-7')).toBe('Hi Mom -☺-!');
    expect(decodeBytes(iconv.encode('╔═╗', 'cp437'), 'IBM437')).toBe('╔═╗');
    expect(decodeBytes(Buffer.from('plain'), null)).toBe('plain');
    expect(decodeBytes(Buffer.from('ünlabelled', 'utf8'), undefined)).toBe('ünlabelled');
    expect(decodeBytes(Buffer.from([0xfc]), 'us-ascii')).toBe('ü');
    expect(decodeBytes(Buffer.from('x'), '"utf-8"')).toBe('x');
    // A label WHATWG maps to the one-character "replacement" decoder still yields the text.
    expect(decodeBytes(Buffer.from('abc'), 'iso-2022-kr')).toBe('abc');
  });

  it('parses MIME parameters, quoted and RFC 2231 continued', () => {
    const p = parseHeaderParams('text/plain; charset="iso-8859-1"; format=flowed; name="a;b.txt"');
    expect(p.value).toBe('text/plain');
    expect(p.params.get('charset')).toBe('iso-8859-1');
    expect(p.params.get('name')).toBe('a;b.txt');
    const c = parseHeaderParams("attachment; filename*0*=utf-8''%E6%97%A5%E6; filename*1*=%9C%AC.txt");
    expect(c.params.get('filename')).toBe('日本.txt');
    expect(parseHeaderParams(null)).toEqual({ value: '', params: new Map() });
  });

  it('decodes header values defensively', () => {
    expect(decodeHeaderValue('=?utf-8?q?a?=\r\n =?utf-8?q?b?=')).toBe('ab');
    expect(decodeHeaderValue('=?bogus-charset?q?caf=E9?=')).toBe('café');
    expect(decodeHeaderValue('plain\u0000text')).toBe('plaintext');
    expect(decodeHeaderValue(null)).toBeNull();
  });

  it('turns HTML into readable text', () => {
    expect(htmlToText('a < b and c > d')).toBe('a < b and c > d');
    expect(htmlToText('<table><tr><td>1</td><td>2</td></tr></table>')).toBe('1 2');
    expect(htmlToText('<p>one</p><p>two</p>')).toBe('one\ntwo');
    expect(htmlToText('<style>unclosed')).toBe('');
    expect(decodeHtmlEntities('&lt;&gt;&amp;&quot;&#39;&#x41;&unknown;&#0;')).toBe('<>&"\'A&unknown;\ufffd');
  });
});
