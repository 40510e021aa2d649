// The emulator's generated mail must be real, decodable MIME whose subjects decode to the ground
// truth, the same for the same seed, in every charset it uses.
import { describe, expect, it } from 'vitest';
import PostalMime from 'postal-mime';
import { MailboxImpl } from '../../src/emulator/mailbox';
import { JA_SENTENCES, JA_SUBJECTS } from '../../src/emulator/corpus';
import { decodeText, decodeWords, encodeText, encodeWords, qpDecode, qpEncode } from '../../src/emulator/mime-codec';
import { getHeader, parseMime, parseParams } from '../../src/emulator/mime-parser';
import { renderMessage } from '../../src/emulator/gmail-render';
import { applyFields } from '../../src/emulator/fields';

const hooks = { revokeTokens: (): void => undefined };

describe('charsets and encoded words', () => {
  it('ISO-2022-JP: every Japanese string encodes to 7-bit JIS and decodes back', () => {
    for (const s of [...JA_SUBJECTS, ...JA_SENTENCES, '日本語 and ASCII (42)']) {
      const bytes = encodeText(s, 'ISO-2022-JP');
      expect(bytes.every((b) => b < 0x80)).toBe(true);
      expect(decodeText(bytes, 'iso-2022-jp')).toBe(s);
    }
  });

  it('encoded words stay ≤ 75 characters, hold whole characters and decode back', () => {
    const cases: Array<[string, string]> = [
      ['Grüße aus Zürich und viele schöne Bücher für die Änderung der Öffnungszeiten', 'iso-8859-1'],
      ['“Angebot” – 250 € inklusive … Œuvre complète™ und noch mehr Text dazu', 'windows-1252'],
      ['プロジェクト進捗報告と打ち合わせ資料の送付について（来週の予定）', 'ISO-2022-JP'],
      ['Отчёт за квартал и встреча в понедельник с командой проекта', 'koi8-r'],
      ['🎉 Party time 你好，世界 Καλημέρα — emoji 📈📉 and more ✓✓✓', 'UTF-8'],
    ];
    for (const [text, cs] of cases) {
      for (const enc of ['B', 'Q'] as const) {
        const words = encodeWords(text, cs, enc);
        for (const w of words.split('\r\n ')) expect(w.length).toBeLessThanOrEqual(75);
        expect(decodeWords(words.replace(/\r\n/g, ''))).toBe(text);
      }
    }
  });

  it('quoted-printable round-trips bytes with soft breaks at 76 columns', () => {
    const bytes = Buffer.from('Grüße = équipe\ttab \nline two with trailing space \n' + 'x'.repeat(200) + '\n', 'latin1');
    const qp = qpEncode(bytes);
    for (const line of qp.split('\r\n')) expect(line.length).toBeLessThanOrEqual(76);
    expect(qpDecode(Buffer.from(qp, 'latin1')).toString('latin1')).toBe(bytes.toString('latin1').replace(/\n/g, '\r\n'));
  });

  it('reads RFC 2231 parameters', () => {
    const p = parseParams(`attachment; filename*=UTF-8''Pr%C3%A4sentation%20Q3.pptx`);
    expect(p.params.filename).toBe('Präsentation Q3.pptx');
    const q = parseParams('text/plain; charset="iso-8859-1"; format=flowed');
    expect(q).toEqual({ value: 'text/plain', params: { charset: 'iso-8859-1', format: 'flowed' } });
  });
});

describe('generated mailbox', () => {
  const box = new MailboxImpl('ada@example.com', { messages: 2000, seed: 99, largeMessages: 1 }, hooks);
  const gt = box.groundTruth();

  it('has Gmail-like ids, thread ids and label sets', () => {
    expect(gt.messages).toHaveLength(2000);
    const byThread = new Map<string, typeof gt.messages>();
    for (const m of gt.messages) {
      expect(m.id).toMatch(/^[0-9a-f]{16}$/);
      byThread.set(m.threadId, [...(byThread.get(m.threadId) ?? []), m]);
    }
    for (const [tid, ms] of byThread) {
      const first = [...ms].sort((a, b) => Number(a.internalDate) - Number(b.internalDate))[0];
      expect(first.id).toBe(tid);
    }
    expect(2000 / byThread.size).toBeGreaterThan(1.8);
    expect(2000 / byThread.size).toBeLessThan(3.5);
    const years = new Set(gt.messages.map((m) => new Date(Number(m.internalDate)).getUTCFullYear()));
    expect(years.size).toBeGreaterThanOrEqual(5);
    for (const l of ['INBOX', 'SENT', 'SPAM', 'TRASH', 'UNREAD', 'CATEGORY_PROMOTIONS']) expect(gt.labels.find((x) => x.id === l)?.messagesTotal).toBeGreaterThan(0);
    expect(gt.labels.filter((l) => l.type === 'user')).toHaveLength(12);
    expect(gt.labels.map((l) => l.id)).toEqual([...gt.labels.map((l) => l.id)].sort());
  });

  it('is the same for the same seed, down to the bytes', () => {
    const again = new MailboxImpl('ada@example.com', { messages: 2000, seed: 99, largeMessages: 1 }, hooks);
    expect(again.groundTruth()).toEqual(gt);
    for (const m of box.sorted.slice(0, 50)) expect(again.rawOf(again.messages.get(m.id) ?? m).equals(box.rawOf(m))).toBe(true);
    const other = new MailboxImpl('ada@example.com', { messages: 2000, seed: 100 }, hooks);
    expect(other.groundTruth().messages[0].id).not.toBe(gt.messages[0].id);
  });

  it('subjects in the ground truth are what the MIME decodes to, in every charset', async () => {
    const charsets = new Set<string>();
    const structures = new Set<string>();
    for (const m of box.sorted) {
      const raw = box.rawOf(m);
      const root = parseMime(raw);
      expect(decodeWords(getHeader(root, 'subject') ?? '')).toBe(box.subjectOf(m));
      const walk = (p: typeof root): void => {
        if (p.params.charset) charsets.add(p.params.charset.toLowerCase());
        for (const c of p.parts) walk(c);
      };
      walk(root);
      structures.add(root.mimeType);
    }
    expect([...charsets].sort()).toEqual(['iso-2022-jp', 'iso-8859-1', 'koi8-r', 'us-ascii', 'utf-8', 'windows-1252']);
    expect([...structures].sort()).toEqual(['multipart/alternative', 'multipart/mixed', 'multipart/related', 'text/plain']);
    // An independent parser agrees (windows-1252 left out: Node 20's TextDecoder drops its C1 range).
    let checked = 0;
    for (const m of box.sorted.slice(0, 400)) {
      const raw = box.rawOf(m);
      if (raw.includes('windows-1252')) continue;
      const parsed = await PostalMime.parse(raw);
      expect(parsed.subject).toBe(box.subjectOf(m));
      expect(parsed.messageId).toMatch(/^<[0-9a-f]{16}\.\w+@mail\.example\.com>$/);
      checked++;
    }
    expect(checked).toBeGreaterThan(300);
  });

  it('replies carry In-Reply-To and References of their thread', () => {
    const reply = box.sorted.find((m) => m.parentId && box.threadOf(m).msgs.indexOf(m) >= 2);
    expect(reply).toBeTruthy();
    if (!reply) return;
    const root = parseMime(box.rawOf(reply));
    const parent = parseMime(box.rawOf(box.messages.get(reply.parentId ?? '') ?? reply));
    expect(getHeader(root, 'in-reply-to')).toBe(getHeader(parent, 'message-id'));
    expect(getHeader(root, 'references')?.split(' ')).toContain(getHeader(parent, 'message-id'));
    expect(box.subjectOf(reply)).toMatch(/^Re: /);
  });

  it('renders Gmail payloads whose leaves hold the decoded bytes', () => {
    const big = box.sorted.find((m) => m.large);
    expect(big).toBeTruthy();
    if (!big) return;
    const r = renderMessage(big.id, box.rawOf(big));
    expect(r.sizeEstimate).toBeGreaterThan(1_000_000);
    expect([...r.attachments.values()].some((b) => b.length >= 1_000_000)).toBe(true);
    expect(r.snippet.length).toBeLessThanOrEqual(200);
    const payload = JSON.parse(r.payloadJson) as { mimeType: string; parts: Array<{ partId: string }> };
    expect(payload.mimeType).toBe('multipart/mixed');
    expect(payload.parts.map((p) => p.partId)).toEqual(payload.parts.map((_p, i) => String(i)));
  });

  it('honours threadSize 1, spamTrash false and oddCharsets false', () => {
    const flat = new MailboxImpl('f@example.com', { messages: 300, seed: 1, threadSize: 1, spamTrash: false, oddCharsets: false, userLabels: 3 }, hooks);
    const g = flat.groundTruth();
    expect(new Set(g.messages.map((m) => m.threadId)).size).toBe(300);
    expect(g.messages.some((m) => m.labelIds.includes('SPAM') || m.labelIds.includes('TRASH'))).toBe(false);
    expect(g.labels.filter((l) => l.type === 'user')).toHaveLength(3);
    for (const m of flat.sorted) expect(/charset="?(iso-|windows-|koi8)/i.test(flat.rawOf(m).toString('latin1'))).toBe(false);
  });
});

describe('mutations', () => {
  it('keep label counts equal to a recount and history ids increasing', () => {
    const box = new MailboxImpl('m@example.com', { messages: 500, seed: 4 }, hooks);
    const h0 = Number(box.historyId());
    box.randomMutations(500, 9);
    const gt = box.groundTruth();
    expect(Number(gt.historyId)).toBeGreaterThan(h0);
    for (const l of gt.labels) {
      const msgs = gt.messages.filter((m) => m.labelIds.includes(l.id));
      const threads = new Set(msgs.map((m) => m.threadId));
      const unreadThreads = new Set(msgs.filter((m) => m.labelIds.includes('UNREAD')).map((m) => m.threadId));
      expect(l).toMatchObject({ messagesTotal: msgs.length, messagesUnread: msgs.filter((m) => m.labelIds.includes('UNREAD')).length, threadsTotal: threads.size, threadsUnread: unreadThreads.size });
    }
    const ids = box.history.map((r) => r.id);
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1])).toBe(true);
    expect(box.history.some((r) => r.type === 'messageDeleted')).toBe(true);
    expect(new Set(gt.labels.map((l) => l.name)).size).toBe(gt.labels.length);
  });

  it('accepts raw RFC 822 messages and decodes their subject', () => {
    const box = new MailboxImpl('r@example.com', { messages: 5, seed: 4 }, hooks);
    const raw = 'From: a@example.com\r\nTo: r@example.com\r\nSubject: =?ISO-8859-1?Q?Gr=FC=DFe?=\r\nContent-Type: text/plain\r\n\r\nHi\r\n';
    const id = box.addMessage({ raw });
    expect(box.groundTruth().messages.find((m) => m.id === id)?.subject).toBe('Grüße');
    const id2 = box.addMessage({ raw: Buffer.from(raw).toString('base64url') });
    expect(box.rawOf(box.messages.get(id2) ?? box.sorted[0]).toString()).toBe(raw);
  });
});

describe('fields (partial responses)', () => {
  it('keeps only the selected fields, nested and in arrays', () => {
    const json = JSON.stringify({ messages: [{ id: 'a', threadId: 't', x: 1 }], nextPageToken: 'n', resultSizeEstimate: 3, payload: { headers: [1], body: 2 } });
    expect(JSON.parse(applyFields(json, 'messages(id),nextPageToken,payload/headers'))).toEqual({ messages: [{ id: 'a' }], nextPageToken: 'n', payload: { headers: [1] } });
  });
});
