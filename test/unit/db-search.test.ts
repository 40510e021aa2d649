import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  openDatabase,
  createAccount,
  insertStubs,
  saveMessageDetails,
  deleteMessagesByGmailId,
  applyHistory,
  search,
  toFtsQuery,
  checkIntegrity,
  optimize,
  rebuildSearchIndex,
  type Db,
} from '../../src/main/db';
import { parsedMessage } from '../helpers/parsed-message';

let db: Db;
let acc: number;
beforeEach(() => {
  db = openDatabase(':memory:');
  acc = createAccount(db, { email: 'me@example.com' }).id;
});
afterEach(() => {
  db.close();
});

const msg = parsedMessage;

const ids = (query: string): string[] => search(db, acc, query, 50).map((r) => r.gmailId).sort();

describe('full-text search', () => {
  it('finds messages by subject, sender, recipient and body, ignoring case and accents', () => {
    saveMessageDetails(
      db,
      acc,
      [
        msg('a', { subject: 'Quarterly report', from: 'Zoë <zoe@example.com>', textBody: 'numbers inside' }),
        msg('b', { subject: 'Lunch', to: 'team@example.org', textBody: 'Café at noon, Crème brûlée' }),
        msg('c', { subject: 'Other', textBody: '東京 の 会議' }),
      ],
      { insertMissing: true },
    );
    expect(ids('quarterly')).toEqual(['a']);
    expect(ids('zoe')).toEqual(['a']);
    expect(ids('team@example.org')).toEqual(['b']);
    expect(ids('cafe creme')).toEqual(['b']);
    expect(ids('CAFÉ')).toEqual(['b']);
    expect(ids('会議')).toEqual(['c']);
    expect(ids('numbers report')).toEqual(['a']);
    expect(ids('numbers lunch')).toEqual([]);
  });

  it('matches the last term as a prefix (search as you type)', () => {
    saveMessageDetails(db, acc, [msg('a', { subject: 'Invoice 2024 attached' })], { insertMissing: true });
    expect(ids('invo')).toEqual(['a']);
    expect(ids('invoice 20')).toEqual(['a']);
    expect(ids('invo 2024')).toEqual([]);
  });

  it('never fails on hostile input', () => {
    saveMessageDetails(db, acc, [msg('a', { subject: 'near and or not "quoted" text*', textBody: 'col:umn NEAR(x y) AND' })], {
      insertMissing: true,
    });
    const hostile = [
      '"',
      '""',
      '*',
      '**',
      'NEAR(',
      'NEAR(a b',
      'AND',
      'OR',
      'NOT',
      'a AND',
      '(',
      ')',
      '^',
      'subject:',
      'subject:near',
      '-',
      '+',
      "'",
      '\u0000',
      '   ',
      '',
      '"near',
      'text*"',
      '{subject from}: x',
      'a'.repeat(10_000),
      Array.from({ length: 500 }, (_, i) => `w${i}`).join(' '),
      '\ud800',
      '🙂',
    ];
    for (const q of hostile) {
      expect(() => search(db, acc, q, 10), q.slice(0, 40)).not.toThrow();
    }
    expect(ids('near')).toEqual(['a']);
    expect(ids('AND')).toEqual(['a']);
    expect(ids('"quoted"')).toEqual(['a']);
    expect(ids('NEAR(x')).toEqual(['a']);
    expect(ids('col:umn')).toEqual(['a']);
    expect(toFtsQuery('  ')).toBeNull();
    expect(toFtsQuery('a "b" c')).toBe('"a" """b""" "c"*');
  });

  it('keeps the index in step with inserts, updates and deletes', () => {
    insertStubs(db, acc, [{ gmailId: 'a', threadId: 't', priority: 2, listSeq: 0 }]);
    expect(ids('hello')).toEqual([]);
    saveMessageDetails(db, acc, [msg('a', { subject: 'hello there' })], { insertMissing: false });
    expect(ids('hello')).toEqual(['a']);
    saveMessageDetails(db, acc, [msg('a', { subject: 'goodbye now', textBody: 'fresh body' })], { insertMissing: false });
    expect(ids('hello')).toEqual([]);
    expect(ids('goodbye')).toEqual(['a']);
    expect(ids('fresh')).toEqual(['a']);
    // Label-only changes do not touch the index but must not break it either.
    applyHistory(db, acc, [{ kind: 'labelsAdded', gmailId: 'a', threadId: 't', labelIds: ['STARRED'], historyId: '9' }], '9');
    expect(ids('goodbye')).toEqual(['a']);
    deleteMessagesByGmailId(db, acc, ['a']);
    expect(ids('goodbye')).toEqual([]);
    expect(checkIntegrity(db)).toEqual([]);
  });

  it('searches one account only and ranks subject matches first', () => {
    const other = createAccount(db, { email: 'other@example.com' }).id;
    saveMessageDetails(db, other, [msg('x', { subject: 'budget' })], { insertMissing: true });
    saveMessageDetails(
      db,
      acc,
      [
        msg('body', { subject: 'misc', textBody: 'the budget is in the body of a long message with many other words in it' }),
        msg('subj', { subject: 'budget', textBody: 'short' }),
      ],
      { insertMissing: true },
    );
    expect(search(db, acc, 'budget', 10).map((r) => r.gmailId)).toEqual(['subj', 'body']);
    expect(search(db, other, 'budget', 10).map((r) => r.gmailId)).toEqual(['x']);
    expect(search(db, acc, 'budget', 1)).toHaveLength(1);
    expect(search(db, acc, 'budget', 10)[0]).toMatchObject({ gmailId: 'subj', subject: 'budget', labelIds: ['INBOX'], unread: false });
  });

  it('survives maintenance: optimize and rebuild keep results', () => {
    saveMessageDetails(
      db,
      acc,
      Array.from({ length: 50 }, (_, i) => msg(`m${i}`, { subject: `topic${i % 5} mail` })),
      { insertMissing: true },
    );
    deleteMessagesByGmailId(
      db,
      acc,
      Array.from({ length: 10 }, (_, i) => `m${i}`),
    );
    optimize(db);
    rebuildSearchIndex(db);
    expect(checkIntegrity(db)).toEqual([]);
    expect(ids('topic3')).toHaveLength(8);
  });
});
