// Conversations over a mailbox the sync mirrored from the Gmail emulator: every label lists as many conversations as
// Gmail's labels.get says it has (threadsTotal), as many of them unread (threadsUnread), and the longest thread is one
// row and one conversation with all its messages.
import { beforeAll, describe, expect } from 'vitest';
import { databaseFile, listAccounts, listMessages, listThreads, openDatabaseReadOnly, threadMessageIds, type Db, type ThreadListRow } from '../../src/main/db';
import { assertBuilt, syncWait } from '../helpers/cli';
import { mirrorTest } from '../helpers/fixtures';

const it = mirrorTest();

function walk<T>(read: (cursor: string | null) => { items: T[]; nextCursor: string | null }): T[] {
  const out: T[] = [];
  let cursor: string | null = null;
  do {
    const page = read(cursor);
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

describe('conversations of a synced mailbox', () => {
  beforeAll(assertBuilt);

  it('agree with Gmail’s labels.get counts for every label, and a long thread is one row', async ({ emu, connectAccount }) => {
    const email = 'threads@example.com';
    const { dir, env } = await connectAccount(email, { messages: 600, seed: 21, threadSize: 4 });
    await syncWait(env);
    const truth = emu.account(email).groundTruth();
    let db: Db | null = null;
    try {
      db = openDatabaseReadOnly(databaseFile(dir));
      const store = db;
      const acc = listAccounts(store)[0].id;
      let checked = 0;
      for (const label of truth.labels) {
        const rows: ThreadListRow[] = walk((cursor) => listThreads(store, acc, { labelId: label.id, cursor, limit: 37 }));
        expect(rows.length, `${label.id} threadsTotal`).toBe(label.threadsTotal);
        expect(new Set(rows.map((r) => r.threadId)).size, `${label.id} no repeats`).toBe(rows.length);
        expect(walk((cursor) => listMessages(store, acc, { labelId: label.id, cursor, limit: 100 })).length, `${label.id} messagesTotal`).toBe(label.messagesTotal);
        if (label.id !== 'UNREAD') {
          // A conversation is unread in a label when one of its messages there is (Gmail's threadsUnread).
          const unreadHere = rows.filter((r) => truth.messages.some((m) => m.threadId === r.threadId && m.labelIds.includes(label.id) && m.labelIds.includes('UNREAD')));
          expect(unreadHere.length, `${label.id} threadsUnread`).toBe(label.threadsUnread);
          // …and shown unread, unless its unread message there is in Spam or Trash, which the conversation leaves out
          // (as Gmail's does) outside those two.
          const hidden = (labels: string[]) => label.id !== 'SPAM' && label.id !== 'TRASH' && (labels.includes('SPAM') || labels.includes('TRASH'));
          for (const r of unreadHere) {
            const visible = truth.messages.some((m) => m.threadId === r.threadId && m.labelIds.includes(label.id) && m.labelIds.includes('UNREAD') && !hidden(m.labelIds));
            if (visible) expect(r.unreadCount, `${label.id} ${r.threadId}`).toBeGreaterThan(0);
          }
        }
        if (label.threadsTotal > 0) checked++;
      }
      expect(checked).toBeGreaterThan(5);

      // The longest thread outside Spam and Trash: one row in All Mail with every message, one conversation in order.
      const byThread = new Map<string, typeof truth.messages>();
      for (const m of truth.messages) {
        if (m.labelIds.includes('SPAM') || m.labelIds.includes('TRASH')) continue;
        byThread.set(m.threadId, [...(byThread.get(m.threadId) ?? []), m]);
      }
      const [longId, longMsgs] = [...byThread.entries()].sort((a, b) => b[1].length - a[1].length)[0];
      expect(longMsgs.length).toBeGreaterThanOrEqual(5);
      const all = walk((cursor) => listThreads(store, acc, { labelId: null, cursor, limit: 100 }));
      const rows = all.filter((r) => r.threadId === longId);
      expect(rows).toHaveLength(1);
      expect(rows[0].messageCount).toBe(longMsgs.length);
      const ids = threadMessageIds(store, acc, longId, null);
      expect([...ids].sort()).toEqual(longMsgs.map((m) => m.id).sort());
    } finally {
      db?.close();
    }
  });
});
