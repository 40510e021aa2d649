// Gmail search over a seeded store (issue 13): each operator finds exactly the right messages, newest first; spam
// and trash stay out unless the search names them; counts are exact and pages cover every match once.
import { describe, expect } from 'vitest';
import { saveMessageDetails, searchMessages, forEachSearchMatch, upsertLabels, type Db, type ParsedMessage } from '../../src/main/db';
import { parsedMessage } from '../helpers/parsed-message';
import { storeTest } from '../helpers/fixtures';

/** Noon, local time (the compiler reads after:/before: days in the machine's time zone). */
const at = (y: number, m: number, d: number, h = 12) => new Date(y, m - 1, d, h).getTime();
const NOW = at(2024, 3, 10);
const att = (filename: string) => ({ gmailAttachmentId: `att-${filename}`, partId: '1', filename, mimeType: 'application/octet-stream', size: 10, contentId: null });

const MESSAGES: ParsedMessage[] = [
  parsedMessage('m1', {
    from: 'Amy Smith <amy@example.com>', to: 'bob@example.org', subject: 'Dinner plans', textBody: 'Meet at the maintenance window',
    labelIds: ['INBOX', 'UNREAD', 'CATEGORY_PERSONAL'], internalDate: at(2024, 1, 10), sizeEstimate: 2000, messageIdHeader: '<m1@example.com>',
  }),
  parsedMessage('m2', {
    from: 'Bob <bob@example.org>', to: 'amy@example.com', cc: 'Carol <carol@example.net>', subject: 'Re: Dinner plans', textBody: 'maintenance done',
    labelIds: ['INBOX', 'STARRED', 'IMPORTANT', 'Label_1'], internalDate: at(2024, 2, 1), sizeEstimate: 2 * 1024 * 1024, attachments: [att('report.pdf')],
  }),
  parsedMessage('m3', {
    from: 'Me <me@example.com>', to: 'dave@example.com', bcc: 'eve@example.com', subject: 'Quarterly numbers', textBody: 'see attached',
    labelIds: ['SENT'], internalDate: at(2024, 3, 1), sizeEstimate: 50 * 1024, attachments: [att('budget.xlsx'), att('photo.jpg')],
  }),
  parsedMessage('m4', { from: 'Lottery <win@lottery.example>', subject: 'You won dinner', labelIds: ['SPAM', 'UNREAD'], internalDate: at(2024, 3, 5), sizeEstimate: 1000 }),
  parsedMessage('m5', { from: 'Amy Smith <amy@example.com>', subject: 'Old dinner notes', labelIds: ['TRASH'], internalDate: at(2024, 3, 6), sizeEstimate: 1000 }),
  parsedMessage('m6', {
    from: 'Airline <noreply@air.example>', subject: 'Flight itinerary', textBody: 'Your trip to Lisbon',
    labelIds: ['Label_2', 'CATEGORY_UPDATES'], internalDate: at(2024, 3, 9), sizeEstimate: 1000,
  }),
  parsedMessage('m7', { subject: 'Draft reply', labelIds: ['DRAFT'], internalDate: at(2024, 3, 7), sizeEstimate: 1000 }),
  parsedMessage('m8', { textBody: 'quick chat', labelIds: ['CHAT'], internalDate: at(2024, 3, 8, 9), sizeEstimate: 1000 }),
  parsedMessage('m9', {
    subject: 'Archived receipt', labelIds: ['CATEGORY_PURCHASES'], internalDate: at(2023, 12, 31, 23), sizeEstimate: 1000, attachments: [att('receipt.pdf')],
  }),
];

const it = storeTest.extend('seeded', ({ db, acc }) => {
  const label = (id: string, name: string, type: 'system' | 'user') => ({ id, name, type, messagesTotal: 0, messagesUnread: 0, threadsTotal: 0, threadsUnread: 0 });
  upsertLabels(
    db,
    acc,
    [
      ...['INBOX', 'SENT', 'DRAFT', 'SPAM', 'TRASH', 'UNREAD', 'STARRED', 'IMPORTANT', 'CHAT', 'CATEGORY_PERSONAL', 'CATEGORY_UPDATES'].map((id) => label(id, id, 'system')),
      label('Label_1', 'Work/Projects', 'user'),
      label('Label_2', 'Travel plans', 'user'),
    ],
    { deleteMissing: true },
  );
  saveMessageDetails(db, acc, MESSAGES, { insertMissing: true });
  return true;
});

const find = (db: Db, acc: number, q: string): string[] => searchMessages(db, acc, q, { limit: 500, now: NOW }).items.map((r) => r.gmailId);

describe('Gmail search over the store', () => {
  it.for<[string, string[]]>([
    // words and phrases, newest first; spam (m4) and trash (m5) left out
    ['dinner', ['m2', 'm1']],
    ['DINNER Plans', ['m2', 'm1']],
    ['"dinner plans"', ['m2', 'm1']],
    ['"plans dinner"', []],
    ['maintenance', ['m2', 'm1']],
    ['maintenance -window', ['m2']],
    ['maintenance NOT window', ['m2']],
    ['-maintenance dinner', []],
    ['lisbon', ['m6']],
    // names, addresses and attachment names are words too
    ['smith', ['m1']],
    ['carol@example.net', ['m2']],
    ['budget', ['m3']],
    // text operators
    ['from:amy', ['m1']],
    ['from:amy@example.com', ['m1']],
    ['from:"Amy Smith"', ['m1']],
    ['from:example.org', ['m2']],
    ['from:me', ['m3']],
    ['to:amy', ['m2']],
    ['to:carol', ['m2']],
    ['to:eve', ['m3']],
    ['to:me', []],
    ['cc:carol', ['m2']],
    ['cc:amy', []],
    ['bcc:eve', ['m3']],
    ['bcc:dave', []],
    ['subject:dinner', ['m2', 'm1']],
    ['subject:(dinner -re)', ['m1']],
    ['subject:lisbon', []],
    ['filename:pdf', ['m2', 'm9']],
    ['filename:report.pdf', ['m2']],
    ['filename:xlsx', ['m3']],
    ['filename:budget.pdf', []],
    // labels and places
    ['label:work-projects', ['m2']],
    ['label:Work/Projects', ['m2']],
    ['label:"work projects"', ['m2']],
    ['label:WORK-PROJECTS', ['m2']],
    ['label:travel-plans', ['m6']],
    ['label:"Travel plans"', ['m6']],
    ['label:travel', []],
    ['label:inbox', ['m2', 'm1']],
    ['in:inbox', ['m2', 'm1']],
    ['in:sent', ['m3']],
    ['in:drafts', ['m7']],
    ['in:chats', ['m8']],
    ['in:work-projects', ['m2']],
    ['is:unread', ['m1']],
    ['is:read in:inbox', ['m2']],
    ['is:starred', ['m2']],
    ['is:important', ['m2']],
    ['has:attachment', ['m3', 'm2', 'm9']],
    ['has:userlabels', ['m6', 'm2']],
    ['has:nouserlabels', ['m8', 'm7', 'm3', 'm1', 'm9']],
    ['category:primary', ['m1']],
    ['category:updates', ['m6']],
    ['category:purchases', ['m9']],
    ['category:social', []],
    // dates (local midnight), ages (from NOW: 10 March 2024, noon) and sizes
    ['after:2024/03/01', ['m6', 'm8', 'm7', 'm3']],
    ['before:2024/01/01', ['m9']],
    ['after:2023/12/31 before:2024/01/11', ['m1', 'm9']],
    ['after:2024/1/10 before:2024/1/11', ['m1']],
    ['before:01/11/2024 after:12/31/2023', ['m1', 'm9']],
    [`after:${at(2024, 3, 8, 9) / 1000}`, ['m6', 'm8']],
    [`after:${at(2024, 3, 8, 9) / 1000 + 1}`, ['m6']],
    ['newer:2024/03/08 older:2024/03/09', ['m8']],
    ['older_than:1m', ['m2', 'm1', 'm9']],
    ['newer_than:2d', ['m6']],
    ['newer_than:3d', ['m6', 'm8', 'm7']],
    ['older_than:1y', []],
    ['older_than:999999y', []],
    ['newer_than:999999y', ['m6', 'm8', 'm7', 'm3', 'm2', 'm1', 'm9']],
    ['after:0099/01/01 before:2024/01/01', ['m9']],
    ['newer_than:1y', ['m6', 'm8', 'm7', 'm3', 'm2', 'm1', 'm9']],
    ['larger:40K', ['m3', 'm2']],
    ['larger:1M', ['m2']],
    ['size:1000000', ['m2']],
    ['smaller:1001', ['m6', 'm8', 'm7', 'm9']],
    ['rfc822msgid:<m1@example.com>', ['m1']],
    ['rfc822msgid:m1@example.com', ['m1']],
    ['rfc822msgid:m2@example.com', []],
    // logic: OR binds tighter than the implicit AND; braces are OR; negated groups
    ['dinner OR lisbon', ['m6', 'm2', 'm1']],
    ['{dinner lisbon}', ['m6', 'm2', 'm1']],
    ['from:bob OR from:airline', ['m6', 'm2']],
    ['from:bob OR from:amy plans', ['m2', 'm1']],
    ['from:bob OR from:amy maintenance window', ['m1']],
    ['{from:bob from:amy} lisbon', []],
    ['lisbon OR is:starred', ['m6', 'm2']],
    ['in:inbox -is:starred', ['m1']],
    ['in:inbox -{is:starred is:unread}', []],
    ['-(in:inbox OR in:sent) has:attachment', ['m9']],
    ['has:attachment -filename:pdf', ['m3']],
    ['(dinner OR numbers) -from:bob', ['m3', 'm1']],
  ])('%s', ([query, expected], { db, acc, seeded }) => {
    void seeded;
    expect(find(db, acc, query)).toEqual(expected);
  });
});

describe('spam and trash', () => {
  it('are left out unless the search names them, as in Gmail', ({ db, acc, seeded }) => {
    void seeded;
    expect(find(db, acc, 'dinner')).toEqual(['m2', 'm1']);
    expect(find(db, acc, 'dinner in:anywhere')).toEqual(['m5', 'm4', 'm2', 'm1']);
    expect(find(db, acc, 'dinner in:spam')).toEqual(['m4']);
    expect(find(db, acc, 'dinner in:trash')).toEqual(['m5']);
    expect(find(db, acc, 'label:spam')).toEqual(['m4']);
    expect(find(db, acc, 'label:TRASH from:amy')).toEqual(['m5']);
    expect(find(db, acc, 'is:unread in:anywhere')).toEqual(['m4', 'm1']);
    expect(find(db, acc, 'in:spam OR in:inbox')).toEqual(['m4', 'm2', 'm1']);
    // Named only to exclude them: they stay out, and so does the other one.
    expect(find(db, acc, 'dinner -in:spam')).toEqual(['m2', 'm1']);
    expect(find(db, acc, 'dinner -in:trash in:anywhere')).toEqual(['m4', 'm2', 'm1']);
    expect(find(db, acc, 'in:anywhere')).toEqual(['m6', 'm8', 'm7', 'm5', 'm4', 'm3', 'm2', 'm1', 'm9']);
  });
});

describe('counts, pages and every match', () => {
  it('counts every match exactly and pages newest first, each match once', ({ db, acc, seeded }) => {
    void seeded;
    const all = find(db, acc, 'in:anywhere');
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = searchMessages(db, acc, 'in:anywhere', { limit: 2, cursor, now: NOW });
      expect(page.total).toBe(9);
      seen.push(...page.items.map((r) => r.gmailId));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual(all);
    expect(searchMessages(db, acc, 'dinner', { limit: 1, now: NOW })).toMatchObject({ total: 2, items: [{ gmailId: 'm2' }] });
    expect(searchMessages(db, acc, 'lisbon', { limit: 5, now: NOW })).toMatchObject({ total: 1, nextCursor: null });
    expect(() => searchMessages(db, acc, 'dinner', { limit: 5, cursor: 'bm9wZQ' })).toThrow(/not valid/);
  });

  it('pages by relevance when asked, best match first', ({ db, acc, seeded }) => {
    void seeded;
    const p1 = searchMessages(db, acc, 'dinner in:anywhere', { limit: 2, order: 'relevance', now: NOW });
    expect(p1.total).toBe(4);
    const p2 = searchMessages(db, acc, 'dinner in:anywhere', { limit: 2, order: 'relevance', now: NOW, cursor: p1.nextCursor });
    expect(p2.nextCursor).toBeNull();
    expect(new Set([...p1.items, ...p2.items].map((r) => r.gmailId))).toEqual(new Set(['m1', 'm2', 'm4', 'm5']));
    // Without words there is nothing to rank: newest first.
    expect(searchMessages(db, acc, 'in:inbox', { limit: 5, order: 'relevance' }).items.map((r) => r.gmailId)).toEqual(['m2', 'm1']);
  });

  it('hands out every match in order, with what the CLI prints', ({ db, acc, seeded }) => {
    void seeded;
    const rows: unknown[] = [];
    const n = forEachSearchMatch(db, acc, 'has:attachment OR in:sent', (r) => rows.push(r), { now: NOW });
    expect(n).toBe(3);
    expect(rows).toEqual([
      { gmailId: 'm3', threadId: 't-m3', internalDate: at(2024, 3, 1), from: 'Me <me@example.com>', subject: 'Quarterly numbers', labelIds: ['SENT'] },
      { gmailId: 'm2', threadId: 't-m2', internalDate: at(2024, 2, 1), from: 'Bob <bob@example.org>', subject: 'Re: Dinner plans', labelIds: ['IMPORTANT', 'INBOX', 'Label_1', 'STARRED'] },
      { gmailId: 'm9', threadId: 't-m9', internalDate: at(2023, 12, 31, 23), from: null, subject: 'Archived receipt', labelIds: ['CATEGORY_PURCHASES'] },
    ]);
  });
});
