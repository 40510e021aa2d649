// Issue 11: a search is text a user typed, and anything typed — NUL and other control characters,
// quotes, parentheses, FTS5 operators, any Unicode — is searched or refused, never an internal
// error. The store's query builder is fuzzed (seeded, so a failure reproduces); the contract turns
// control characters into separators before the store sees them.
import { describe, expect } from 'vitest';
import { saveMessageDetails, search, SearchQueryError, type Db } from '../../src/main/db';
import { ipcChannels } from '../../src/shared/ipc';
import { rng } from '../helpers/rng';
import { parsedMessage } from '../helpers/parsed-message';
import { storeTest } from '../helpers/fixtures';

const it = storeTest;

const ids = (db: Db, acc: number, q: string): string[] => search(db, acc, q, 50).map((r) => r.gmailId).sort();

describe('search with control characters', () => {
  // The two messages searched here.
  it.beforeEach(({ db, acc }) => {
    const msg = (gmailId: string, subject: string, textBody: string) =>
      parsedMessage(gmailId, { subject, from: 'Zoë <zoe@example.com>', textBody });
    saveMessageDetails(
      db,
      acc,
      [msg('a', 'Quarterly report', 'numbers NEAR the end AND more'), msg('b', 'Lunch', 'café 東京 (maybe) "quoted" -minus *star*')],
      { insertMissing: true },
    );
  });

  it('treats NUL and every other control character as a space, and still finds', ({ db, acc }) => {
    expect(ids(db, acc, 'quarterly\u0000report')).toEqual(['a']);
    expect(ids(db, acc, 'report\u0000')).toEqual(['a']);
    expect(ids(db, acc, '\u0000lunch')).toEqual(['b']);
    for (let c = 0; c < 0x20; c++) expect(ids(db, acc, `quarterly${String.fromCharCode(c)}report`), `U+${c.toString(16)}`).toEqual(['a']);
    for (let c = 0x7f; c <= 0x9f; c++) expect(ids(db, acc, `quarterly${String.fromCharCode(c)}report`), `U+${c.toString(16)}`).toEqual(['a']);
    expect(() => ids(db, acc, '\u0000\u0001\u001b')).toThrow(SearchQueryError);
    expect(ids(db, acc, '"quarterly\u0000report"')).toEqual(['a']);
  });

  it('never fails inside the store, whatever is typed: it searches or says which part it cannot read (seeded fuzz)', ({ db, acc }) => {
    const pieces = [
      '"', '""', "'", '(', ')', '*', '-', '+', '^', ':', '{', '}', '[', ']', ',', '.', '\\', '/',
      'NEAR', 'NEAR(', 'NEAR/2', 'AND', 'OR', 'NOT', 'subject:', 'from:', 'col:umn',
      '\u0000', '\u0001', '\u0007', '\u001b', '\u007f', '\u0085', '\u009b', '\t', '\n', '\r', ' ', '  ',
      '\u202E', '\u2066', '\u200F', '\u00a0', '\u2028', '\ufeff', '\ud800', '\udc00', '\ufffd',
      'café', 'Zoë', '東京', '🙂', 'e\u0301', 'ß', 'İ', 'ﬁ', '٣', 'quarterly', 'report', 'lunch', 'a', '1',
    ];
    const rand = rng(11);
    let found = 0;
    let refused = 0;
    for (let i = 0; i < 4000; i++) {
      const n = 1 + Math.floor(rand() * 12);
      let q = '';
      for (let j = 0; j < n; j++) {
        q += rand() < 0.1 ? String.fromCharCode(Math.floor(rand() * 0x3000)) : pieces[Math.floor(rand() * pieces.length)];
      }
      try {
        found += search(db, acc, q, 10).length;
      } catch (e) {
        // A query the parser cannot read is the only way out, and it points inside the query.
        expect(e, JSON.stringify(q)).toBeInstanceOf(SearchQueryError);
        const { start, end } = e as SearchQueryError;
        expect(start, JSON.stringify(q)).toBeGreaterThanOrEqual(0);
        expect(end, JSON.stringify(q)).toBeLessThanOrEqual(q.length);
        refused++;
      }
    }
    // The fuzz is not all misses: plenty of generated queries hit the two messages.
    expect(found).toBeGreaterThan(50);
    expect(refused).toBeGreaterThan(50);
  });
});

describe('messages:search in the contract', () => {
  const req = ipcChannels['messages:search'].request;

  it('passes the query on without control characters', () => {
    expect(req.parse({ accountId: 1, query: 'quarterly\u0000report' }).query).toBe('quarterly report');
    expect(req.parse({ accountId: 1, query: '\u001b[2Jlunch\u0007' }).query).toBe('[2Jlunch');
  });

  it('refuses a query with nothing but control characters and spaces, saying why', () => {
    const r = req.safeParse({ accountId: 1, query: '\u0000 \u0001\t' });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0].message).toBe('type something to search for');
    expect(req.safeParse({ accountId: 1, query: 'x'.repeat(501) }).success).toBe(false);
  });

  it('client:set names the file without control or bidirectional characters', () => {
    const set = ipcChannels['client:set'].request;
    expect(set.parse({ json: '{}', name: 'client_secret\u202Enosj.exe' }).name).toBe('client_secretnosj.exe');
    expect(set.parse({ json: '{}', name: '\u0000' }).name).toBe('This file');
    expect(set.parse({ json: '{}' }).name).toBeUndefined();
  });
});
