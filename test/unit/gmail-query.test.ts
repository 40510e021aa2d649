// Gmail's search language read into a tree (src/shared/gmail-query.ts): every operator, OR binding tighter than the
// implicit AND, negation, groups, braces, phrases, and errors that name the part they could not read.
import { describe, expect, it } from 'vitest';
import { GmailQueryError, parseGmailQuery, type QueryNode } from '../../src/shared/gmail-query';

const text = (t: string, field: Extract<QueryNode, { kind: 'text' }>['field'] = 'any', phrase = false): QueryNode => ({ kind: 'text', field, text: t, phrase });
const label = (id: string): QueryNode => ({ kind: 'labelId', id });
const not = (child: QueryNode): QueryNode => ({ kind: 'not', child });
const and = (...children: QueryNode[]): QueryNode => ({ kind: 'and', children });
const or = (...children: QueryNode[]): QueryNode => ({ kind: 'or', children });

function error(query: string): GmailQueryError {
  try {
    parseGmailQuery(query);
  } catch (e) {
    if (e instanceof GmailQueryError) return e;
    throw e;
  }
  throw new Error(`no error for ${JSON.stringify(query)}`);
}

describe('Gmail search terms', () => {
  it('reads words and quoted phrases, side by side ANDed', () => {
    expect(parseGmailQuery('dinner')).toEqual(text('dinner'));
    expect(parseGmailQuery('dinner  movie')).toEqual(and(text('dinner'), text('movie')));
    expect(parseGmailQuery('"dinner and movie" tonight')).toEqual(and(text('dinner and movie', 'any', true), text('tonight')));
    expect(parseGmailQuery('dinner AND movie')).toEqual(and(text('dinner'), text('movie')));
    // Words with inner punctuation stay one term (the index matches their parts in order).
    expect(parseGmailQuery('e-mail amy@example.com')).toEqual(and(text('e-mail'), text('amy@example.com')));
    // + (Gmail: this exact word) is the word: every word is matched whole here.
    expect(parseGmailQuery('+unicorn')).toEqual(text('unicorn'));
  });

  it('reads every text operator, with a phrase, a group or a value after a space', () => {
    for (const op of ['from', 'to', 'cc', 'bcc', 'subject', 'filename'] as const) {
      expect(parseGmailQuery(`${op}:amy`)).toEqual(text('amy', op));
      expect(parseGmailQuery(`${op.toUpperCase()}:amy`)).toEqual(text('amy', op));
    }
    expect(parseGmailQuery('subject:"dinner plans"')).toEqual(text('dinner plans', 'subject', true));
    expect(parseGmailQuery('from: amy')).toEqual(text('amy', 'from'));
    expect(parseGmailQuery('subject:(dinner movie)')).toEqual(and(text('dinner', 'subject'), text('movie', 'subject')));
    expect(parseGmailQuery('from:(amy OR bob)')).toEqual(or(text('amy', 'from'), text('bob', 'from')));
    expect(parseGmailQuery('from:{amy bob}')).toEqual(or(text('amy', 'from'), text('bob', 'from')));
    expect(parseGmailQuery('filename:report.pdf')).toEqual(text('report.pdf', 'filename'));
    // An operator inside an operator's group is its own.
    expect(parseGmailQuery('subject:(lunch from:amy)')).toEqual(and(text('lunch', 'subject'), text('amy', 'from')));
  });

  it('reads label:, in:, is:, has: and category:', () => {
    expect(parseGmailQuery('label:work')).toEqual({ kind: 'labelName', name: 'work' });
    expect(parseGmailQuery('label:"my stuff"')).toEqual({ kind: 'labelName', name: 'my stuff' });
    expect(parseGmailQuery('label:work-projects')).toEqual({ kind: 'labelName', name: 'work-projects' });
    expect(parseGmailQuery('in:inbox')).toEqual(label('INBOX'));
    expect(parseGmailQuery('in:sent in:drafts in:spam in:trash in:chats')).toEqual(and(label('SENT'), label('DRAFT'), label('SPAM'), label('TRASH'), label('CHAT')));
    expect(parseGmailQuery('in:anywhere')).toEqual({ kind: 'anywhere' });
    expect(parseGmailQuery('in:Receipts')).toEqual({ kind: 'labelName', name: 'Receipts' });
    expect(parseGmailQuery('is:unread')).toEqual(label('UNREAD'));
    expect(parseGmailQuery('is:read')).toEqual(not(label('UNREAD')));
    expect(parseGmailQuery('is:starred is:important')).toEqual(and(label('STARRED'), label('IMPORTANT')));
    expect(parseGmailQuery('has:attachment')).toEqual({ kind: 'hasAttachment' });
    expect(parseGmailQuery('has:userlabels')).toEqual({ kind: 'hasUserLabels' });
    expect(parseGmailQuery('has:nouserlabels')).toEqual(not({ kind: 'hasUserLabels' }));
    const categories = { primary: 'PERSONAL', social: 'SOCIAL', promotions: 'PROMOTIONS', updates: 'UPDATES', forums: 'FORUMS', reservations: 'RESERVATIONS', purchases: 'PURCHASES' };
    for (const [name, id] of Object.entries(categories)) expect(parseGmailQuery(`category:${name}`)).toEqual(label(`CATEGORY_${id}`));
  });

  it('reads dates, ages, sizes and Message-IDs', () => {
    expect(parseGmailQuery('after:2004/04/16')).toEqual({ kind: 'date', op: 'after', date: { kind: 'day', year: 2004, month: 4, day: 16 } });
    expect(parseGmailQuery('before:2004-4-1')).toEqual({ kind: 'date', op: 'before', date: { kind: 'day', year: 2004, month: 4, day: 1 } });
    expect(parseGmailQuery('before:04/18/2004')).toEqual({ kind: 'date', op: 'before', date: { kind: 'day', year: 2004, month: 4, day: 18 } });
    expect(parseGmailQuery('older:2024/02/29')).toEqual({ kind: 'date', op: 'before', date: { kind: 'day', year: 2024, month: 2, day: 29 } });
    expect(parseGmailQuery('newer:1388552400')).toEqual({ kind: 'date', op: 'after', date: { kind: 'epoch', seconds: 1388552400 } });
    expect(parseGmailQuery('older_than:2d')).toEqual({ kind: 'age', op: 'older', amount: 2, unit: 'd' });
    expect(parseGmailQuery('newer_than:3M')).toEqual({ kind: 'age', op: 'newer', amount: 3, unit: 'm' });
    expect(parseGmailQuery('newer_than:1y')).toEqual({ kind: 'age', op: 'newer', amount: 1, unit: 'y' });
    expect(parseGmailQuery('larger:10M')).toEqual({ kind: 'size', op: 'larger', bytes: 10 * 1024 * 1024 });
    expect(parseGmailQuery('smaller:500k')).toEqual({ kind: 'size', op: 'smaller', bytes: 500 * 1024 });
    expect(parseGmailQuery('size:1000000')).toEqual({ kind: 'size', op: 'larger', bytes: 1_000_000 });
    expect(parseGmailQuery('larger:1.5MB')).toEqual({ kind: 'size', op: 'larger', bytes: 1.5 * 1024 * 1024 });
    expect(parseGmailQuery('rfc822msgid:<abc.123@mail.example.com>')).toEqual({ kind: 'messageId', id: 'abc.123@mail.example.com' });
    expect(parseGmailQuery('rfc822msgid:abc@x')).toEqual({ kind: 'messageId', id: 'abc@x' });
  });

  it('reads anything else with a colon as text, as Gmail does', () => {
    expect(parseGmailQuery('foo:bar')).toEqual(text('foo:bar'));
    expect(parseGmailQuery('meet at 10:30')).toEqual(and(text('meet'), text('at'), text('10:30')));
    expect(parseGmailQuery('https://example.com/x')).toEqual(text('https://example.com/x'));
  });
});

describe('Gmail search logic', () => {
  it('binds OR tighter than the implicit AND', () => {
    expect(parseGmailQuery('a OR b')).toEqual(or(text('a'), text('b')));
    expect(parseGmailQuery('a b OR c d')).toEqual(and(text('a'), or(text('b'), text('c')), text('d')));
    expect(parseGmailQuery('from:amy OR from:bob subject:x')).toEqual(and(or(text('amy', 'from'), text('bob', 'from')), text('x', 'subject')));
    expect(parseGmailQuery('a OR b OR c')).toEqual(or(text('a'), text('b'), text('c')));
    // Only upper-case OR is the operator.
    expect(parseGmailQuery('a or b')).toEqual(and(text('a'), text('or'), text('b')));
  });

  it('reads braces as OR and parentheses as groups', () => {
    expect(parseGmailQuery('{a b c}')).toEqual(or(text('a'), text('b'), text('c')));
    expect(parseGmailQuery('{a OR b} c')).toEqual(and(or(text('a'), text('b')), text('c')));
    expect(parseGmailQuery('(a b) OR c')).toEqual(or(and(text('a'), text('b')), text('c')));
    expect(parseGmailQuery('x (a OR (b c))')).toEqual(and(text('x'), or(text('a'), and(text('b'), text('c')))));
    expect(parseGmailQuery('{(a b) c}')).toEqual(or(and(text('a'), text('b')), text('c')));
  });

  it('negates with - and NOT, the next term only', () => {
    expect(parseGmailQuery('maintenance -window')).toEqual(and(text('maintenance'), not(text('window'))));
    expect(parseGmailQuery('maintenance NOT window')).toEqual(and(text('maintenance'), not(text('window'))));
    expect(parseGmailQuery('-in:inbox')).toEqual(not(label('INBOX')));
    expect(parseGmailQuery('-(a b) c')).toEqual(and(not(and(text('a'), text('b'))), text('c')));
    expect(parseGmailQuery('-{a b}')).toEqual(not(or(text('a'), text('b'))));
    expect(parseGmailQuery('a OR -b')).toEqual(or(text('a'), not(text('b'))));
    expect(parseGmailQuery('--a')).toEqual(text('a'));
    expect(parseGmailQuery('NOT NOT a')).toEqual(text('a'));
    // A dash inside a word, or alone, is not a negation.
    expect(parseGmailQuery('a - b')).toEqual(and(text('a'), text('b')));
  });

  it('drops what holds nothing searchable, and answers null for an empty search', () => {
    expect(parseGmailQuery('')).toBeNull();
    expect(parseGmailQuery('   \t ')).toBeNull();
    expect(parseGmailQuery('& !! ?')).toBeNull();
    expect(parseGmailQuery('a & b')).toEqual(and(text('a'), text('b')));
    // A dash with nothing after it is punctuation too.
    expect(parseGmailQuery('a -')).toEqual(text('a'));
    expect(parseGmailQuery('a\u0000b')).toEqual(text('a b'));
  });
});

describe('Gmail search errors', () => {
  it.each([
    ['"unclosed phrase', 0, 'this quote is never closed'],
    ['a "b c', 2, 'this quote is never closed'],
    ['(a b', 0, 'this parenthesis is never closed'],
    ['x {a b', 2, 'this brace is never closed'],
    ['a b)', 3, 'nothing opened this parenthesis'],
    ['a }', 2, 'nothing opened this brace'],
    ['()', 0, 'nothing to search for in this group'],
    ['OR a', 0, 'OR needs a search term on each side'],
    ['a OR', 2, 'OR needs a search term on each side'],
    ['a OR OR b', 2, 'OR needs a search term on each side'],
    ['(a OR) b', 3, 'OR needs a search term on each side'],
    ['AND b', 0, 'AND needs a search term on each side'],
    ['a NOT', 2, 'NOT needs a search term right after it'],
    ['from:', 0, 'from: needs a value'],
    ['subject: ) x', 0, 'subject: needs a value'],
    ['dinner is:purple', 7, 'is: can be unread, read, starred or important'],
    ['has:drive', 0, 'has: can be attachment, userlabels or nouserlabels'],
    ['category:spam', 0, 'category: can be primary, social'],
    ['after:2024/13/01', 0, 'after: needs a date'],
    ['before:2023/02/29', 0, 'before: needs a date'],
    ['after:yesterday', 0, 'after: needs a date'],
    ['a older_than:3x', 2, 'older_than: needs a number followed by d (days), m (months) or y (years)'],
    ['newer_than:d', 0, 'newer_than: needs a number'],
    ['larger:big', 0, 'larger: needs a size'],
    ['smaller:10T', 0, 'smaller: needs a size'],
    ['from:!!!', 0, 'from: needs words'],
    ['rfc822msgid:<>', 0, 'rfc822msgid: needs a Message-ID'],
  ])('%j: points at character %i', (query, start, why) => {
    const e = error(query);
    expect(e.start).toBe(start);
    expect(e.end).toBeGreaterThan(start);
    expect(e.end).toBeLessThanOrEqual(query.length);
    expect(e.message).toContain(why);
    expect(e.message).toContain(`(character ${start + 1})`);
    expect(e.message).toContain(`"${query.slice(start, e.end).trim().slice(0, 39)}`);
  });

  it('names the part in plain words', () => {
    expect(error('dinner older_than:3x').message).toBe(
      'Cannot read the search at "older_than:3x" (character 8): older_than: needs a number followed by d (days), m (months) or y (years), like older_than:2d',
    );
    expect(error('"unbalanced AND (NEAR').message).toBe(
      'Cannot read the search at ""unbalanced AND (NEAR" (character 1): this quote is never closed (add a " where the phrase ends)',
    );
  });

  it('bounds the size of a search', () => {
    expect(error(Array.from({ length: 101 }, (_, i) => `w${i}`).join(' ')).message).toContain('at most 100 terms');
    expect(error(`${'('.repeat(40)}a${')'.repeat(40)}`).message).toContain('nested more than 32 deep');
    expect(parseGmailQuery(`${'('.repeat(30)}a${')'.repeat(30)}`)).toEqual(text('a'));
  });
});
