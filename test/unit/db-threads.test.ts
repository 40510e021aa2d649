import { describe, expect } from 'vitest';
import {
  applyHistory,
  InvalidCursorError,
  listMessages,
  listThreads,
  saveMessageDetails,
  threadMessageIds,
  type Db,
  type ParsedMessage,
  type ThreadListRow,
} from '../../src/main/db';
import { sampleMessage } from '../helpers/parsed-message';
import { storeTest } from '../helpers/fixtures';
import { rng } from '../helpers/rng';

const it = storeTest;
const T0 = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;

function m(gmailId: string, threadId: string, hoursAgo: number, labelIds: string[], fields: Partial<ParsedMessage> = {}): ParsedMessage {
  return sampleMessage(gmailId, labelIds, { threadId, internalDate: T0 - hoursAgo * HOUR, ...fields });
}

/** Every page of a label's conversations, walked by cursor with a small page size. */
function allThreads(db: Db, acc: number, labelId: string | null, limit = 3): ThreadListRow[] {
  const out: ThreadListRow[] = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 10_000; guard++) {
    const page = listThreads(db, acc, { labelId, cursor, limit });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    out.push(...page.items);
    if (!page.nextCursor) return out;
    cursor = page.nextCursor;
  }
  throw new Error('paging never ended');
}

describe('conversation list', () => {
  it('lists one row per thread that has any message in the label, newest thread first, with the thread’s aggregates', ({ db, acc }) => {
    saveMessageDetails(
      db,
      acc,
      [
        // Thread a: three messages, the middle one unread and starred, only the first two in the Inbox; a reply from me.
        m('a1', 'ta', 30, ['INBOX'], { from: 'Ada Lovelace <ada@example.com>', subject: 'Engines' }),
        m('a2', 'ta', 20, ['INBOX', 'UNREAD', 'STARRED'], { from: 'Grace <grace@example.com>', subject: 'Re: Engines' }),
        m('a3', 'ta', 5, ['SENT'], { from: 'Me <me@example.com>', subject: 'Re: Engines' }),
        // Thread b: one read message with an attachment, newer than a's newest Inbox message.
        m('b1', 'tb', 10, ['INBOX'], {
          from: 'Bob <bob@example.com>',
          attachments: [{ gmailAttachmentId: 'x', partId: '1', filename: 'f.pdf', mimeType: 'application/pdf', size: 9, contentId: null }],
        }),
        // Thread c: not in the Inbox at all.
        m('c1', 'tc', 1, ['Label_1']),
      ],
      { insertMissing: true },
    );
    const inbox = allThreads(db, acc, 'INBOX');
    expect(inbox.map((t) => t.threadId)).toEqual(['tb', 'ta']);
    const [b, a] = inbox;
    // The row's date and snippet come from the thread's newest message in the Inbox (a2), not its newest overall (a3).
    expect(a.latest.gmailId).toBe('a2');
    expect(a.latest.internalDate).toBe(T0 - 20 * HOUR);
    // …but the conversation is the whole thread: three messages, every sender in order, "me" included.
    expect(a.messageCount).toBe(3);
    expect(a.senders).toEqual([
      { from: 'Ada Lovelace <ada@example.com>', unread: false },
      { from: 'Grace <grace@example.com>', unread: true },
      { from: 'Me <me@example.com>', unread: false },
    ]);
    expect(a.subject).toBe('Engines');
    expect(a.unreadCount).toBe(1);
    expect(a.starred).toBe(true);
    expect(a.hasAttachments).toBe(false);
    expect(a.labelIds).toEqual(['INBOX', 'SENT', 'STARRED', 'UNREAD']);
    expect(b).toMatchObject({ messageCount: 1, unreadCount: 0, starred: false, hasAttachments: true });
    // Sent lists thread a by its sent reply; All Mail lists every thread once, newest first.
    expect(allThreads(db, acc, 'SENT').map((t) => [t.threadId, t.latest.gmailId])).toEqual([['ta', 'a3']]);
    expect(allThreads(db, acc, null).map((t) => [t.threadId, t.latest.gmailId])).toEqual([
      ['tc', 'c1'],
      ['ta', 'a3'],
      ['tb', 'b1'],
    ]);
    // One row per message is still there, unchanged.
    expect(listMessages(db, acc, { labelId: 'INBOX', limit: 10 }).items.map((r) => r.gmailId)).toEqual(['b1', 'a2', 'a1']);
    expect(listMessages(db, acc, { labelId: null, limit: 10 }).items.find((r) => r.gmailId === 'b1')?.hasAttachments).toBe(true);
  });

  it('names the senders as Gmail does: who started it, then the others by their latest message', ({ db, acc }) => {
    const who = ['Ada <ada@x.example>', 'Me <me@example.com>', 'Grace <grace@x.example>', 'Ada <ada@x.example>', 'Bob <bob@x.example>', 'Grace <grace@x.example>'];
    saveMessageDetails(db, acc, who.map((from, i) => m(`s${i}`, 'ts', 10 - i, i === 4 ? ['INBOX', 'UNREAD'] : ['INBOX'], { from })), { insertMissing: true });
    const [t] = allThreads(db, acc, 'INBOX');
    expect(t.senders).toEqual([
      { from: 'Ada <ada@x.example>', unread: false },
      { from: 'Me <me@example.com>', unread: false },
      { from: 'Bob <bob@x.example>', unread: true },
      { from: 'Grace <grace@x.example>', unread: false },
    ]);
  });

  it('leaves Spam and Trash out of conversations, except in Spam and Trash themselves', ({ db, acc }) => {
    saveMessageDetails(
      db,
      acc,
      [
        m('d1', 'td', 9, ['INBOX']),
        m('d2', 'td', 8, ['TRASH', 'UNREAD']),
        m('e1', 'te', 7, ['SPAM', 'UNREAD']),
      ],
      { insertMissing: true },
    );
    const [d] = allThreads(db, acc, 'INBOX');
    expect(d).toMatchObject({ threadId: 'td', messageCount: 1, unreadCount: 0 });
    expect(allThreads(db, acc, 'TRASH').map((t) => [t.threadId, t.messageCount, t.unreadCount])).toEqual([['td', 1, 1]]);
    // All Mail: the spam thread is not there, and the trashed reply does not make d newer.
    expect(allThreads(db, acc, null).map((t) => [t.threadId, t.latest.gmailId])).toEqual([['td', 'd1']]);
    expect(threadMessageIds(db, acc, 'td', 'INBOX')).toEqual(['d1']);
    expect(threadMessageIds(db, acc, 'td', 'TRASH')).toEqual(['d2']);
    expect(threadMessageIds(db, acc, 'nope', 'INBOX')).toEqual([]);
  });

  it('pages a random mailbox without repeating or skipping a thread, in Gmail’s order, with exact counts', ({ db, acc }) => {
    const r = rng(13);
    const labels = ['INBOX', 'Label_1', 'Label_2'];
    const items: ParsedMessage[] = [];
    for (let i = 0; i < 400; i++) {
      const own = labels.filter(() => r() < 0.4);
      if (r() < 0.3) own.push('UNREAD');
      // Equal dates on purpose (ties are broken by id), and threads of 1 to ~12 messages.
      items.push(m(`g${i}`, `t${Math.floor(r() * 60)}`, Math.floor(r() * 100), own));
    }
    saveMessageDetails(db, acc, items, { insertMissing: true });
    const stored = listMessages(db, acc, { labelId: null, limit: 500 }).items;
    const idOf = new Map(stored.map((s) => [s.gmailId, s.id]));
    for (const label of [...labels, null]) {
      const inLabel = items.filter((x) => label === null || x.labelIds.includes(label));
      // Expected: each thread once, at its newest message in the label (date, then store id), newest first.
      const newest = new Map<string, ParsedMessage>();
      const key = (x: ParsedMessage) => [x.internalDate ?? 0, idOf.get(x.gmailId) ?? 0] as const;
      const newer = (x: ParsedMessage, y: ParsedMessage) => key(x)[0] > key(y)[0] || (key(x)[0] === key(y)[0] && key(x)[1] > key(y)[1]);
      for (const x of inLabel) {
        const cur = newest.get(x.threadId);
        if (!cur || newer(x, cur)) newest.set(x.threadId, x);
      }
      const expected = [...newest.values()].sort((x, y) => (newer(x, y) ? -1 : 1)).map((x) => [x.threadId, x.gmailId]);
      for (const limit of [1, 7, 500]) {
        const got = allThreads(db, acc, label, limit);
        expect(got.map((t) => [t.threadId, t.latest.gmailId]), `${label} by ${limit}`).toEqual(expected);
      }
      // Gmail's threadsTotal / threadsUnread for this label, from the rows.
      const got = allThreads(db, acc, label, 50);
      const unreadThreads = new Set(items.filter((x) => x.labelIds.includes('UNREAD')).map((x) => x.threadId));
      expect(got.filter((t) => t.unreadCount > 0).length).toBe([...newest.keys()].filter((t) => unreadThreads.has(t)).length);
      for (const t of got) expect(t.messageCount).toBe(items.filter((x) => x.threadId === t.threadId).length);
    }
  });

  it('keeps paging steady while mail arrives, and a new reply moves its thread to the top', ({ db, acc }) => {
    saveMessageDetails(
      db,
      acc,
      Array.from({ length: 10 }, (_, i) => m(`h${i}`, `th${i}`, 10 + i, ['INBOX'])),
      { insertMissing: true },
    );
    const first = listThreads(db, acc, { labelId: 'INBOX', limit: 4 });
    expect(first.items.map((t) => t.threadId)).toEqual(['th0', 'th1', 'th2', 'th3']);
    // A reply to th9 arrives, newest of all: the next page is unchanged (th9 is now at the top, not on page 3).
    applyHistory(db, acc, [{ kind: 'added', gmailId: 'h9r', threadId: 'th9', labelIds: ['INBOX', 'UNREAD'], historyId: '200' }], '200');
    saveMessageDetails(db, acc, [m('h9r', 'th9', 0, ['INBOX', 'UNREAD'])], { insertMissing: false });
    const second = listThreads(db, acc, { labelId: 'INBOX', cursor: first.nextCursor, limit: 4 });
    expect(second.items.map((t) => t.threadId)).toEqual(['th4', 'th5', 'th6', 'th7']);
    const third = listThreads(db, acc, { labelId: 'INBOX', cursor: second.nextCursor, limit: 4 });
    expect(third.items.map((t) => t.threadId)).toEqual(['th8']);
    expect(third.nextCursor).toBeNull();
    const top = listThreads(db, acc, { labelId: 'INBOX', limit: 1 }).items[0];
    expect(top).toMatchObject({ threadId: 'th9', messageCount: 2, unreadCount: 1 });
    expect(top.latest.gmailId).toBe('h9r');
  });

  it('refuses a cursor it did not make, a message list’s included', ({ db, acc }) => {
    saveMessageDetails(db, acc, [m('i1', 'ti', 1, ['INBOX']), m('i2', 'ti2', 2, ['INBOX'])], { insertMissing: true });
    const messageCursor = listMessages(db, acc, { labelId: 'INBOX', limit: 1 }).nextCursor;
    expect(messageCursor).not.toBeNull();
    expect(() => listThreads(db, acc, { labelId: 'INBOX', cursor: messageCursor, limit: 1 })).toThrow(InvalidCursorError);
    expect(() => listThreads(db, acc, { labelId: 'INBOX', cursor: 'garbage', limit: 1 })).toThrow(InvalidCursorError);
  });
});
