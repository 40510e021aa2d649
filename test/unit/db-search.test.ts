import { describe, expect } from 'vitest';
import {
  createAccount,
  insertStubs,
  saveMessageDetails,
  deleteMessagesByGmailId,
  applyHistory,
  search,
  SearchQueryError,
  checkIntegrity,
  optimize,
  rebuildSearchIndex,
  type Db,
} from '../../src/main/db';
import { parsedMessage } from '../helpers/parsed-message';
import { storeTest } from '../helpers/fixtures';

const it = storeTest;

const msg = parsedMessage;

const ids = (db: Db, acc: number, query: string): string[] => search(db, acc, query, 50).map((r) => r.gmailId).sort();

describe('full-text search', () => {
  it('finds messages by subject, sender, recipient and body, ignoring case and accents', ({ db, acc }) => {
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
    expect(ids(db, acc, 'quarterly')).toEqual(['a']);
    expect(ids(db, acc, 'zoe')).toEqual(['a']);
    expect(ids(db, acc, 'team@example.org')).toEqual(['b']);
    expect(ids(db, acc, 'cafe creme')).toEqual(['b']);
    expect(ids(db, acc, 'CAFÉ')).toEqual(['b']);
    expect(ids(db, acc, '会議')).toEqual(['c']);
    expect(ids(db, acc, 'numbers report')).toEqual(['a']);
    expect(ids(db, acc, 'numbers lunch')).toEqual([]);
  });

  it('matches whole words, as Gmail does (no prefixes)', ({ db, acc }) => {
    saveMessageDetails(db, acc, [msg('a', { subject: 'Invoice 2024 attached' })], { insertMissing: true });
    expect(ids(db, acc, 'invoice')).toEqual(['a']);
    expect(ids(db, acc, 'invoice 2024')).toEqual(['a']);
    expect(ids(db, acc, 'invo')).toEqual([]);
    expect(ids(db, acc, 'invoice 20')).toEqual([]);
  });

  it('searches hostile input as text, or refuses it with a SearchQueryError: never an FTS5 or SQL error', ({ db, acc }) => {
    saveMessageDetails(db, acc, [msg('a', { subject: 'near and or not "quoted" text*', textBody: 'col:umn NEAR(x y) AND' })], {
      insertMissing: true,
    });
    const hostile = [
      '"', '""', '*', '**', 'NEAR(', 'NEAR(a b', 'AND', 'OR', 'NOT', 'a AND', '(', ')', '^', 'subject:', 'subject:near', '-', '+', "'",
      '\u0000', '   ', '', '"near', 'text*"', '{subject from}: x', 'a'.repeat(10_000), Array.from({ length: 500 }, (_, i) => `w${i}`).join(' '),
      '\ud800', '🙂', 'x" OR "1"="1', "'; DROP TABLE messages; --", 'subject:"a"" b"', '{col} : x', 'NEAR/2', '"a" * "b"',
    ];
    for (const q of hostile) {
      try {
        search(db, acc, q, 10);
      } catch (e) {
        expect(e, q.slice(0, 40)).toBeInstanceOf(SearchQueryError);
        expect((e as SearchQueryError).ipcCode).toBe('INVALID_REQUEST');
      }
    }
    expect(ids(db, acc, 'near')).toEqual(['a']);
    expect(ids(db, acc, '"AND"')).toEqual(['a']);
    expect(ids(db, acc, '"quoted"')).toEqual(['a']);
    expect(ids(db, acc, '"NEAR(x y)"')).toEqual(['a']);
    expect(() => search(db, acc, 'NEAR(x', 10)).toThrow(/this parenthesis is never closed/);
    expect(ids(db, acc, 'col:umn')).toEqual(['a']);
    expect(ids(db, acc, 'text*')).toEqual(['a']);
    expect(ids(db, acc, 'subject:near')).toEqual(['a']);
    expect(ids(db, acc, "x\" OR \"1\"=\"1")).toEqual([]);
    expect(() => search(db, acc, '"near', 10)).toThrow(/this quote is never closed/);
    expect(() => search(db, acc, '   ', 10)).toThrow(/nothing to search for/);
  });

  it('keeps the index in step with inserts, updates and deletes', ({ db, acc }) => {
    insertStubs(db, acc, [{ gmailId: 'a', threadId: 't', priority: 2, listSeq: 0 }]);
    expect(ids(db, acc, 'hello')).toEqual([]);
    saveMessageDetails(db, acc, [msg('a', { subject: 'hello there' })], { insertMissing: false });
    expect(ids(db, acc, 'hello')).toEqual(['a']);
    saveMessageDetails(db, acc, [msg('a', { subject: 'goodbye now', textBody: 'fresh body' })], { insertMissing: false });
    expect(ids(db, acc, 'hello')).toEqual([]);
    expect(ids(db, acc, 'goodbye')).toEqual(['a']);
    expect(ids(db, acc, 'fresh')).toEqual(['a']);
    // Label-only changes do not touch the index but must not break it either.
    applyHistory(db, acc, [{ kind: 'labelsAdded', gmailId: 'a', threadId: 't', labelIds: ['STARRED'], historyId: '9' }], '9');
    expect(ids(db, acc, 'goodbye')).toEqual(['a']);
    deleteMessagesByGmailId(db, acc, ['a']);
    expect(ids(db, acc, 'goodbye')).toEqual([]);
    expect(checkIntegrity(db)).toEqual([]);
  });

  it('indexes a batch of listed messages as they are fetched, a message fetched twice in the batch as its last copy', ({ db, acc }) => {
    insertStubs(db, acc, ['a', 'b', 'c'].map((gmailId, listSeq) => ({ gmailId, threadId: 't', priority: 2, listSeq })));
    saveMessageDetails(db, acc, [msg('old', { subject: 'kept words' })], { insertMissing: true });
    saveMessageDetails(
      db,
      acc,
      [
        msg('a', { subject: 'alpha first', textBody: 'shared body' }),
        msg('b', { subject: 'bravo', cc: 'Carol <carol@example.net>' }),
        // The same message again in the batch (its newer copy wins), and one the listing has not reached yet.
        msg('a', { subject: 'alpha second', textBody: 'shared body' }),
        msg('d', { subject: 'delta', textBody: 'shared body' }),
      ],
      { insertMissing: true },
    );
    expect(ids(db, acc, 'alpha')).toEqual(['a']);
    expect(ids(db, acc, 'first')).toEqual([]);
    expect(ids(db, acc, 'second')).toEqual(['a']);
    expect(ids(db, acc, 'cc:carol')).toEqual(['b']);
    expect(ids(db, acc, 'shared')).toEqual(['a', 'd']);
    expect(ids(db, acc, 'kept')).toEqual(['old']);
    // The stub still waiting is in no result, and the index holds exactly what the messages say.
    expect(ids(db, acc, 'in:anywhere')).toEqual(['a', 'b', 'd', 'old']);
    expect(checkIntegrity(db)).toEqual([]);
    saveMessageDetails(db, acc, [msg('c', { subject: 'charlie' }), msg('b', { subject: 'bravo again' })], { insertMissing: false });
    expect(ids(db, acc, 'charlie OR again')).toEqual(['b', 'c']);
    expect(checkIntegrity(db)).toEqual([]);
  });

  it('searches one account only and ranks subject matches first', ({ db, acc }) => {
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
    expect(search(db, acc, 'budget', 10, { order: 'relevance' }).map((r) => r.gmailId)).toEqual(['subj', 'body']);
    expect(search(db, other, 'budget', 10).map((r) => r.gmailId)).toEqual(['x']);
    expect(search(db, acc, 'budget', 1)).toHaveLength(1);
    expect(search(db, acc, 'budget', 10)[0]).toMatchObject({ gmailId: 'subj', subject: 'budget', labelIds: ['INBOX'], unread: false });
  });

  it('survives maintenance: optimize and rebuild keep results', ({ db, acc }) => {
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
    expect(ids(db, acc, 'topic3')).toHaveLength(8);
  });
});
