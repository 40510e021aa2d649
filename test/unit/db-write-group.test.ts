// Group commit of fetched details (src/main/db/write-group.ts): jobs that finish together share one transaction,
// and each still succeeds or fails on its own.
import { describe, expect } from 'vitest';
import { getMessage, insertStubs, saveMessageDetails } from '../../src/main/db';
import { writeInGroup } from '../../src/main/db/write-group';
import { sampleMessage } from '../helpers/parsed-message';
import { storeTest } from '../helpers/fixtures';

const it = storeTest;

describe('writeInGroup', () => {
  it('commits writes asked for together, each resolving once its messages are stored', async ({ db, acc }) => {
    insertStubs(db, acc, ['a', 'b', 'c'].map((gmailId, listSeq) => ({ gmailId, threadId: `t-${gmailId}`, priority: 2, listSeq })));
    const writes = ['a', 'b', 'c'].map((id) => writeInGroup(db, () => saveMessageDetails(db, acc, [sampleMessage(id, ['INBOX'])], { insertMissing: false })));
    // Nothing is written before the group commits.
    expect(getMessage(db, acc, 'a')?.detailsFetched).toBe(false);
    await Promise.all(writes);
    for (const id of ['a', 'b', 'c']) expect(getMessage(db, acc, id)).toMatchObject({ detailsFetched: true, labelIds: ['INBOX'] });
  });

  it('fails a write alone: its changes are rolled back, the others are committed', async ({ db, acc }) => {
    insertStubs(db, acc, ['a', 'b'].map((gmailId, listSeq) => ({ gmailId, threadId: `t-${gmailId}`, priority: 2, listSeq })));
    const good = writeInGroup(db, () => saveMessageDetails(db, acc, [sampleMessage('a', ['INBOX'])], { insertMissing: false }));
    const bad = writeInGroup(db, () => {
      saveMessageDetails(db, acc, [sampleMessage('b', ['STARRED'])], { insertMissing: false });
      throw new Error('parse went wrong after the write');
    });
    await expect(bad).rejects.toThrow('parse went wrong after the write');
    await good;
    expect(getMessage(db, acc, 'a')).toMatchObject({ detailsFetched: true, labelIds: ['INBOX'] });
    expect(getMessage(db, acc, 'b')).toMatchObject({ detailsFetched: false, labelIds: [] });
  });
});
