// The questions the listing and the batch jobs ask about pending stubs, and the label reconcile's writes.
import { describe, expect } from 'vitest';
import {
  allPendingStubs,
  fetchedWithLabel,
  filterPending,
  getAccount,
  getMessage,
  hasPendingStubs,
  insertStubs,
  listMessages,
  messageExists,
  pendingOfThread,
  rewindHistoryId,
  rootlessPendingStubs,
  saveMessageDetails,
  setLabelMembership,
  threadHasFetched,
  updateAccount,
} from '../../src/main/db';
import { parsedMessage } from '../helpers/parsed-message';
import { storeTest } from '../helpers/fixtures';

const it = storeTest;

describe('pending stubs', () => {
  it('answers per thread, per id and per account', ({ db, acc }) => {
    expect(hasPendingStubs(db, acc)).toBe(false);
    insertStubs(db, acc, [
      { gmailId: 't1', threadId: 't1', priority: 2, listSeq: 0 },
      { gmailId: 'r1', threadId: 't1', priority: 1, listSeq: 1 },
      { gmailId: 'r2', threadId: 't2', priority: 2, listSeq: 2 },
    ]);
    saveMessageDetails(db, acc, [parsedMessage('t1', { threadId: 't1' })], { insertMissing: false });
    expect(hasPendingStubs(db, acc)).toBe(true);
    expect(pendingOfThread(db, acc, 't1')).toEqual([{ gmailId: 'r1', priority: 1 }]);
    expect(filterPending(db, acc, ['t1', 'r1', 'r2', 'zzz'])).toEqual(['r1', 'r2']);
    expect(messageExists(db, acc, 't1')).toBe(true);
    expect(messageExists(db, acc, 't2')).toBe(false);
    expect(threadHasFetched(db, acc, 't1')).toBe(true);
    expect(threadHasFetched(db, acc, 't2')).toBe(false);
    // r2's thread root t2 is not stored: no listed page dispatched it.
    expect(rootlessPendingStubs(db, acc)).toEqual([{ gmailId: 'r2', threadId: 't2', priority: 2 }]);
    expect(allPendingStubs(db, acc).map((s) => s.gmailId)).toEqual(['r1', 'r2']);
    saveMessageDetails(db, acc, [parsedMessage('r1', { threadId: 't1' }), parsedMessage('r2', { threadId: 't2' })], { insertMissing: false });
    expect(hasPendingStubs(db, acc)).toBe(false);
  });
});

describe('label membership and history id', () => {
  it('sets one label on fetched messages only', ({ db, acc }) => {
    insertStubs(db, acc, [{ gmailId: 'stub', threadId: 'stub', priority: 2, listSeq: 0 }]);
    saveMessageDetails(db, acc, [parsedMessage('a', { labelIds: ['INBOX'] }), parsedMessage('b', { labelIds: ['INBOX', 'Label_1'] })], {
      insertMissing: true,
    });
    expect(fetchedWithLabel(db, acc, 'Label_1')).toEqual(new Set(['b']));
    setLabelMembership(db, acc, 'Label_1', ['a', 'stub'], ['b']);
    expect(fetchedWithLabel(db, acc, 'Label_1')).toEqual(new Set(['a']));
    expect(getMessage(db, acc, 'a')?.labelIds).toEqual(['INBOX', 'Label_1']);
    expect(getMessage(db, acc, 'stub')?.labelIds).toEqual([]);
    // The new label row carries the message's date: the label's list pages from its index.
    expect(listMessages(db, acc, { labelId: 'Label_1', limit: 10 }).items.map((m) => m.gmailId)).toEqual(['a']);
  });

  it('rewinds the account history id, never forwards', ({ db, acc }) => {
    updateAccount(db, acc, { historyId: '1000' });
    rewindHistoryId(db, acc, '2000');
    expect(getAccount(db, acc)?.historyId).toBe('1000');
    rewindHistoryId(db, acc, '999');
    expect(getAccount(db, acc)?.historyId).toBe('999');
  });
});
