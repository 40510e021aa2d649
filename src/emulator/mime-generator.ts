/**
 * Deterministic RFC 5322 / MIME messages from (seed, index): plain, multipart/alternative,
 * multipart/mixed with attachments, multipart/related, RFC 2047 words in headers, non-UTF-8 charsets,
 * quoted-printable / base64 / 8bit bodies, threads with In-Reply-To and References, ~1 MB messages.
 * Bodies are built only when a message is fetched; the mailbox keeps just the inputs.
 */
import { pdfDocument, pngPicture } from './demo-files';
import { Rng, hash32 } from './rng';
import {
  type Locale,
  CP1252_EXTRA,
  CP1252_SUBJECTS,
  DAYS,
  DOMAINS,
  EN_SUBJECTS,
  EN_WORDS,
  FIRST_NAMES,
  JA_SENTENCES,
  JA_SUBJECTS,
  LAST_NAMES,
  LATIN1_SUBJECTS,
  LATIN1_WORDS,
  MONTHS,
  RU_SUBJECTS,
  RU_WORDS,
  UTF8_SUBJECTS,
  UTF8_WORDS,
} from './corpus';
import { base64Lines, encodeText, encodeWords, foldHeader, qpEncode, rfc2231 } from './mime-codec';

export type { Locale } from './corpus';

export type Person = { name: string; email: string; locale: Locale };

export type GenInput = {
  seed: number;
  idx: number;
  /** Gmail id of this message (only used to make the Message-ID header). */
  id: string;
  date: number;
  /** Full Unicode subject as a reader should decode it (replies include "Re: "). */
  subject: string;
  locale: Locale;
  from: Person;
  to: Person[];
  cc: Person[];
  inReplyTo?: string;
  references: string[];
  large: boolean;
  /** The mailbox owner, for Delivered-To on received mail. */
  account: string;
  sent: boolean;
  /** Share of messages with attachments (MailboxSpec.attachmentShare); absent: the default mix. */
  attachmentShare?: number;
};

const SALT_TRAITS = 0x74726169;
const SALT_BODY = 0x6d696d65;
const SALT_PEOPLE = 0x70706c;

const LOCALES: readonly Locale[] = ['en', 'latin1', 'cp1252', 'ja', 'ru', 'utf8'];
const LOCALE_WEIGHTS = [55, 12, 8, 8, 5, 12];

export function messageIdHeader(seed: number, gmailId: string): string {
  return `<${gmailId}.${hash32(seed, parseInt(gmailId.slice(-7), 16)).toString(36)}@mail.example.com>`;
}

function capitalize(s: string): string {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}

export function personFor(seed: number, n: number, locale: Locale): Person {
  const rng = Rng.from(seed, n, SALT_PEOPLE);
  const first = rng.pick(FIRST_NAMES[locale]);
  const last = rng.pick(LAST_NAMES[locale]);
  const domain = rng.pick(DOMAINS);
  const local = `${['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy'][n % 10]}.${n}`;
  const name = locale === 'ja' ? `${last} ${first}` : `${first} ${last}`;
  return { name, email: `${local}@${domain}`, locale };
}

export type ThreadTraits = { locale: Locale; subject: string; other: Person };

/** What a thread is about: its locale (charset family), base subject and correspondent. */
export function threadTraits(seed: number, rootIdx: number, oddCharsets: boolean): ThreadTraits {
  const rng = Rng.from(seed, rootIdx, SALT_TRAITS);
  const locale: Locale = oddCharsets ? rng.weighted(LOCALES, LOCALE_WEIGHTS) : rng.chance(0.85) ? 'en' : 'utf8';
  const n = rng.int(2, 9999);
  let subject: string;
  switch (locale) {
    case 'en':
      subject = rng.chance(0.5)
        ? rng.pick(EN_SUBJECTS).replace('{n}', String(n))
        : capitalize(Array.from({ length: rng.int(3, 8) }, () => rng.pick(EN_WORDS)).join(' '));
      break;
    case 'latin1':
      subject = rng.chance(0.6)
        ? rng.pick(LATIN1_SUBJECTS).replace('{n}', String(n))
        : capitalize(Array.from({ length: rng.int(2, 6) }, () => rng.pick(LATIN1_WORDS)).join(' '));
      break;
    case 'cp1252':
      subject = rng.pick(CP1252_SUBJECTS);
      break;
    case 'ja':
      subject = rng.pick(JA_SUBJECTS) + (rng.chance(0.3) ? ` (${n})` : '');
      break;
    case 'ru':
      subject = rng.pick(RU_SUBJECTS);
      break;
    case 'utf8':
      subject = rng.pick(UTF8_SUBJECTS);
      break;
  }
  const other = personFor(seed, rng.int(0, 399), locale === 'cp1252' ? 'latin1' : locale);
  return { locale, subject, other };
}

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

/** RFC 5322 date in a given zone offset (minutes). */
export function rfc2822Date(ms: number, offsetMin: number): string {
  const d = new Date(ms + offsetMin * 60000);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  return (
    `${DAYS[d.getUTCDay()]}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} ${sign}${pad2(Math.floor(abs / 60))}${pad2(abs % 60)}`
  );
}

type Style = { charset: string; headerCharset: string; wordEnc: 'B' | 'Q'; cte: '7bit' | '8bit' | 'quoted-printable' | 'base64' };

function styleFor(locale: Locale, rng: Rng): Style {
  switch (locale) {
    case 'en':
      return rng.chance(0.6)
        ? { charset: 'us-ascii', headerCharset: 'UTF-8', wordEnc: 'Q', cte: '7bit' }
        : { charset: 'UTF-8', headerCharset: 'UTF-8', wordEnc: 'Q', cte: 'quoted-printable' };
    case 'latin1':
      return { charset: 'iso-8859-1', headerCharset: 'iso-8859-1', wordEnc: rng.chance(0.7) ? 'Q' : 'B', cte: rng.chance(0.7) ? 'quoted-printable' : '8bit' };
    case 'cp1252':
      return { charset: 'windows-1252', headerCharset: 'windows-1252', wordEnc: rng.chance(0.5) ? 'Q' : 'B', cte: rng.chance(0.6) ? 'quoted-printable' : '8bit' };
    case 'ja':
      return { charset: 'ISO-2022-JP', headerCharset: 'ISO-2022-JP', wordEnc: 'B', cte: '7bit' };
    case 'ru':
      return rng.chance(0.5)
        ? { charset: 'koi8-r', headerCharset: 'koi8-r', wordEnc: 'B', cte: '8bit' }
        : { charset: 'UTF-8', headerCharset: 'UTF-8', wordEnc: 'B', cte: 'base64' };
    case 'utf8':
      return { charset: 'UTF-8', headerCharset: 'UTF-8', wordEnc: rng.chance(0.6) ? 'B' : 'Q', cte: rng.pick(['base64', 'quoted-printable', '8bit'] as const) };
  }
}

function isAscii(s: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(s);
}

/** Whether every character survives the charset (subjects given by tests may not fit the thread's). */
function fits(text: string, charset: string): boolean {
  const c = charset.toLowerCase();
  if (c === 'utf-8') return true;
  if (c === 'us-ascii') return isAscii(text);
  try {
    const enc = encodeText(text, charset);
    if (c === 'iso-2022-jp') return true;
    return !enc.includes(0x3f) || (text.match(/\?/g) ?? []).length === enc.filter((b) => b === 0x3f).length;
  } catch {
    return false;
  }
}

function encodeSubject(subject: string, style: Style, rng: Rng): string {
  if (isAscii(subject)) {
    return rng.chance(0.1) && subject.length < 50 ? 'Subject: ' + encodeWords(subject, 'UTF-8', 'Q') : foldHeader('Subject', subject);
  }
  const charset = fits(subject, style.headerCharset) ? style.headerCharset : 'UTF-8';
  const enc = charset === 'UTF-8' && !fits(subject, style.headerCharset) ? 'B' : style.wordEnc;
  const m = /^((?:Re|Fwd): )(.*)$/s.exec(subject);
  if (m && !isAscii(m[2])) return 'Subject: ' + m[1] + encodeWords(m[2], charset, enc);
  return 'Subject: ' + encodeWords(subject, charset, enc);
}

function encodePerson(p: Person, style: Style): string {
  if (isAscii(p.name)) return /[(),.:;<>@[\]"]/.test(p.name) ? `"${p.name}" <${p.email}>` : `${p.name} <${p.email}>`;
  const charset = fits(p.name, style.headerCharset) ? style.headerCharset : 'UTF-8';
  return `${encodeWords(p.name, charset, charset === 'ISO-2022-JP' ? 'B' : style.wordEnc)} <${p.email}>`;
}

function addressHeader(name: string, people: Person[], style: Style): string {
  return `${name}: ` + people.map((p) => encodePerson(p, style)).join(',\r\n ');
}

function words(rng: Rng, n: number, main: readonly string[], extra: readonly string[] | null, extraP: number): string {
  let s = '';
  for (let i = 0; i < n; i++) {
    const w = extra && rng.next() < extraP ? rng.pick(extra) : rng.pick(main);
    s += i ? ' ' + w : w;
  }
  return capitalize(s);
}

function sentence(rng: Rng, locale: Locale): string {
  switch (locale) {
    case 'ja':
      return rng.pick(JA_SENTENCES);
    case 'latin1':
      return words(rng, rng.int(5, 12), EN_WORDS, LATIN1_WORDS, 0.35) + '.';
    case 'cp1252':
      return words(rng, rng.int(5, 12), EN_WORDS, LATIN1_WORDS, 0.2) + ` ${rng.pick(CP1252_EXTRA)} ${rng.int(1, 999)} €.`;
    case 'ru':
      return words(rng, rng.int(4, 10), RU_WORDS, null, 0) + '.';
    case 'utf8':
      return words(rng, rng.int(5, 12), EN_WORDS, UTF8_WORDS, 0.3) + '.';
    case 'en':
      return words(rng, rng.int(5, 15), EN_WORDS, null, 0) + '.';
  }
}

function paragraphs(rng: Rng, locale: Locale): string[] {
  const out: string[] = [];
  const n = rng.int(1, 4);
  for (let i = 0; i < n; i++) {
    const k = rng.int(1, 5);
    const parts: string[] = [];
    for (let j = 0; j < k; j++) parts.push(sentence(rng, locale));
    out.push(parts.join(locale === 'ja' ? '' : ' '));
  }
  return out;
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Wraps plain text at ~72 columns on spaces (Japanese lines are left as sentences). */
function wrap(text: string): string {
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let start = 0;
    while (para.length - start > 72) {
      let cut = para.lastIndexOf(' ', start + 72);
      if (cut <= start) {
        cut = para.indexOf(' ', start + 72);
        if (cut < 0) break;
      }
      out.push(para.slice(start, cut));
      start = cut + 1;
    }
    out.push(para.slice(start));
  }
  return out.join('\r\n');
}

type Leaf = { kind: 'leaf'; headers: string[]; body: Buffer };
type Multi = { kind: 'multi'; headers: string[]; boundary: string; children: Part[] };
type Part = Leaf | Multi;

function encodeBody(text: string, style: Style): { cte: string; body: Buffer } {
  const bytes = encodeText(text, style.charset);
  switch (style.cte) {
    case 'quoted-printable':
      return { cte: 'quoted-printable', body: Buffer.from(qpEncode(bytes), 'latin1') };
    case 'base64':
      return { cte: 'base64', body: Buffer.from(base64Lines(bytes), 'latin1') };
    case '8bit':
      return { cte: isAscii(text) ? '7bit' : '8bit', body: bytes };
    case '7bit':
      return { cte: '7bit', body: bytes };
  }
}

function textLeaf(mime: string, text: string, style: Style): Leaf {
  const { cte, body } = encodeBody(text, style);
  return {
    kind: 'leaf',
    headers: [`Content-Type: ${mime}; charset="${style.charset}"`, `Content-Transfer-Encoding: ${cte}`],
    body,
  };
}

type Attachment = { filename: string; mime: string; bytes: Buffer; cid?: string; nameStyle: 'plain' | 'rfc2231' | 'words' };

function attachmentLeaf(a: Attachment): Leaf {
  let nameParam: string;
  let fileParam: string;
  if (a.nameStyle === 'rfc2231') {
    nameParam = `name*=${rfc2231(a.filename)}`;
    fileParam = `filename*=${rfc2231(a.filename)}`;
  } else if (a.nameStyle === 'words') {
    const w = encodeWords(a.filename, 'UTF-8', 'B').replace(/\r\n /g, ' ');
    nameParam = `name="${w}"`;
    fileParam = `filename="${w}"`;
  } else {
    nameParam = `name="${a.filename}"`;
    fileParam = `filename="${a.filename}"`;
  }
  const headers = [`Content-Type: ${a.mime};\r\n ${nameParam}`, `Content-Disposition: ${a.cid ? 'inline' : 'attachment'};\r\n ${fileParam}`, 'Content-Transfer-Encoding: base64'];
  if (a.cid) headers.push(`Content-ID: <${a.cid}>`, `X-Attachment-Id: ${a.cid.split('@')[0]}`);
  return { kind: 'leaf', headers, body: Buffer.from(base64Lines(a.bytes), 'latin1') };
}

function randomAttachment(rng: Rng): Attachment {
  const kind = rng.int(0, 5);
  switch (kind) {
    // The random stream is drawn from as when these were random bytes (a size, then one seed), so a seed still
    // makes the same mailbox.
    case 0: {
      const size = rng.int(4000, 40000);
      const seed = rng.uint32();
      const year = rng.int(2015, 2025);
      return { filename: `report-${year}.pdf`, mime: 'application/pdf', bytes: pdfDocument(seed, size, `Report ${year}`), nameStyle: 'plain' };
    }
    case 1: {
      const size = rng.int(1000, 20000);
      const seed = rng.uint32();
      return { filename: `photo_${rng.int(1, 9999)}.png`, mime: 'image/png', bytes: pngPicture(seed, size), nameStyle: 'plain' };
    }
    case 2: {
      const rows = ['id,name,amount'];
      for (let i = 0; i < rng.int(5, 60); i++) rows.push(`${i},${rng.pick(EN_WORDS)},${rng.int(1, 99999) / 100}`);
      return { filename: 'data.csv', mime: 'text/csv', bytes: Buffer.from(rows.join('\r\n') + '\r\n'), nameStyle: 'plain' };
    }
    case 3:
      return {
        filename: 'Präsentation Q3.pptx',
        mime: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
        bytes: rng.fill(Buffer.alloc(rng.int(8000, 50000))),
        nameStyle: 'rfc2231',
      };
    case 4:
    {
      const size = rng.int(3000, 30000);
      return { filename: '請求書.pdf', mime: 'application/pdf', bytes: pdfDocument(rng.uint32(), size, 'Invoice'), nameStyle: 'words' };
    }
    default:
      return { filename: 'notes.txt', mime: 'text/plain', bytes: Buffer.from(sentence(rng, 'en') + '\r\n'), nameStyle: 'plain' };
  }
}

function boundary(rng: Rng): string {
  return '000000000000' + rng.hex(12);
}

function serialize(p: Part, out: Buffer[]): void {
  out.push(Buffer.from(p.headers.join('\r\n') + '\r\n\r\n', 'latin1'));
  if (p.kind === 'leaf') {
    out.push(p.body);
    return;
  }
  for (const c of p.children) {
    out.push(Buffer.from(`\r\n--${p.boundary}\r\n`, 'latin1'));
    serialize(c, out);
  }
  out.push(Buffer.from(`\r\n--${p.boundary}--\r\n`, 'latin1'));
}

const ZONES = [0, -420, -300, 60, 120, 330, 540, -180];

/** The RFC 822 bytes of one generated message. */
export function generateRaw(input: GenInput): Buffer {
  const rng = Rng.from(input.seed, input.idx, SALT_BODY);
  const style = styleFor(input.locale, rng);
  const zone = input.locale === 'ja' ? 540 : rng.pick(ZONES);
  const date = rfc2822Date(input.date, zone);

  const paras = paragraphs(rng, input.locale);
  if (input.inReplyTo) paras.push(`On ${rfc2822Date(input.date - rng.int(3600, 86400 * 3) * 1000, zone)}, ${input.to[0]?.name ?? 'someone'} wrote:\n> ${sentence(rng, input.locale)}`);
  const text = (input.locale === 'ja' ? paras.join('\n\n') : paras.map(wrap).join('\n\n')).replace(/\r?\n/g, '\r\n');
  const hostile = rng.chance(0.02);
  const remoteImage = rng.chance(0.1);
  let html =
    `<html><head><meta http-equiv="Content-Type" content="text/html; charset=${style.charset}"></head><body>` +
    paras.map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`).join('\n');
  if (remoteImage) html += `\n<p><img src="https://images.example.com/pixel-${rng.hex(8)}.png" alt="banner"></p>`;
  if (hostile) html += '\n<script>alert("x")</script><img src="x" onerror="alert(1)"><iframe src="https://evil.example.com/"></iframe><form action="https://evil.example.com/"><input name="q"></form>';
  html += '\n</body></html>';

  let kind = rng.weighted(['text', 'alternative', 'mixed', 'related'] as const, [30, 40, 22, 8]);
  if (input.attachmentShare !== undefined) {
    // Drawn from the same stream, so a mailbox's other traits do not move with the share.
    const withAttachments = rng.chance(input.attachmentShare);
    kind = withAttachments ? (kind === 'related' ? 'related' : 'mixed') : kind === 'text' ? 'text' : 'alternative';
  }
  if (input.large) kind = 'mixed';

  const top: string[] = [];
  if (!input.sent) {
    top.push(`Delivered-To: ${input.account}`);
    top.push(
      `Received: from mail-${rng.int(1, 99)}.example.net (mail-${rng.int(1, 99)}.example.net [192.0.2.${rng.int(1, 254)}])\r\n` +
        `        by mx.google.com with ESMTPS id ${rng.hex(12)}\r\n        for <${input.account}>; ${date}`,
    );
  }
  top.push('MIME-Version: 1.0', `Date: ${date}`, `Message-ID: ${messageIdHeader(input.seed, input.id)}`);
  if (input.inReplyTo) top.push(`In-Reply-To: ${input.inReplyTo}`);
  if (input.references.length) top.push('References: ' + input.references.join('\r\n '));
  top.push(encodeSubject(input.subject, style, rng));
  top.push(addressHeader('From', [input.from], style));
  top.push(addressHeader('To', input.to, style));
  if (input.cc.length) top.push(addressHeader('Cc', input.cc, style));
  if (rng.chance(0.3)) top.push(`X-Mailer: ${rng.pick(['Apple Mail (2.3774)', 'Microsoft Outlook 16.0', 'Thunderbird 115.3.1'])}`);

  const plain = textLeaf('text/plain', text + '\r\n', style);
  const htmlLeaf = textLeaf('text/html', html + '\r\n', style);
  let root: Part;
  if (kind === 'text') {
    root = plain;
  } else {
    const alt: Multi = { kind: 'multi', headers: [], boundary: boundary(rng), children: [plain, htmlLeaf] };
    alt.headers = [`Content-Type: multipart/alternative; boundary="${alt.boundary}"`];
    if (kind === 'alternative') {
      root = alt;
    } else if (kind === 'related') {
      const cid = `ii_${rng.hex(10)}@example`;
      const size = rng.int(500, 4000);
      const img = pngPicture(rng.uint32(), size);
      const relHtml = textLeaf('text/html', html.replace('</body>', `<img src="cid:${cid}" alt="logo"></body>`) + '\r\n', style);
      const innerAlt: Multi = { kind: 'multi', headers: [], boundary: boundary(rng), children: [plain, relHtml] };
      innerAlt.headers = [`Content-Type: multipart/alternative; boundary="${innerAlt.boundary}"`];
      const rel: Multi = {
        kind: 'multi',
        headers: [],
        boundary: boundary(rng),
        children: [innerAlt, attachmentLeaf({ filename: 'logo.png', mime: 'image/png', bytes: img, cid, nameStyle: 'plain' })],
      };
      rel.headers = [`Content-Type: multipart/related; boundary="${rel.boundary}"`];
      root = rel;
    } else {
      const atts: Leaf[] = [];
      if (input.large) {
        const big = rng.fill(Buffer.alloc(rng.int(1_000_000, 1_100_000)));
        Buffer.from('504b0304', 'hex').copy(big, 0);
        atts.push(attachmentLeaf({ filename: `archive-${rng.int(1, 99)}.zip`, mime: 'application/zip', bytes: big, nameStyle: 'plain' }));
      } else {
        const n = rng.chance(0.7) ? 1 : rng.int(2, 3);
        for (let i = 0; i < n; i++) atts.push(attachmentLeaf(randomAttachment(rng)));
      }
      const mixed: Multi = { kind: 'multi', headers: [], boundary: boundary(rng), children: [rng.chance(0.2) ? plain : alt, ...atts] };
      mixed.headers = [`Content-Type: multipart/mixed; boundary="${mixed.boundary}"`];
      root = mixed;
    }
  }
  root.headers = [...top, ...root.headers];
  const out: Buffer[] = [];
  serialize(root, out);
  return Buffer.concat(out);
}
