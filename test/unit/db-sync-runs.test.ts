import { describe, expect } from 'vitest';
import {
  getAccount,
  updateAccount,
  createRun,
  getRun,
  getActiveRun,
  listRuns,
  updateRun,
  finishRun,
  claimFinish,
  addListedIds,
  deleteMessagesNotListed,
  insertStubs,
  countProgress,
} from '../../src/main/db';
import { storeTest } from '../helpers/fixtures';

const it = storeTest;

describe('sync runs', () => {
  it('creates, checkpoints and finishes a run', ({ db, acc }) => {
    const run = createRun(db, { accountId: acc, type: 'initial', startHistoryId: '500' });
    expect(run).toMatchObject({ accountId: acc, type: 'initial', status: 'running', startHistoryId: '500', pageToken: null, listingDone: false });
    expect(run.startedAt).toBeInstanceOf(Date);
    const u = updateRun(db, run.id, { pageToken: 'page-2', listedCount: 500 });
    expect(u).toMatchObject({ pageToken: 'page-2', listedCount: 500, status: 'running' });
    updateRun(db, run.id, { listingDone: true, pageToken: null });
    expect(getRun(db, run.id)).toMatchObject({ listingDone: true, pageToken: null });
    const failed = finishRun(db, run.id, 'failed', 'quota exhausted');
    expect(failed).toMatchObject({ status: 'failed', error: 'quota exhausted' });
    expect(failed?.finishedAt).toBeInstanceOf(Date);
    expect(getRun(db, 999)).toBeNull();
  });

  it('finds the active run of the asked types', ({ db, acc }) => {
    expect(getActiveRun(db, acc, ['initial', 'full'])).toBeNull();
    const labels = createRun(db, { accountId: acc, type: 'labels' });
    const pending = createRun(db, { accountId: acc, type: 'initial', status: 'pending' });
    expect(pending.startedAt).toBeNull();
    expect(getActiveRun(db, acc, ['initial', 'full'])?.id).toBe(pending.id);
    expect(getActiveRun(db, acc, ['labels'])?.id).toBe(labels.id);
    expect(getActiveRun(db, acc, [])).toBeNull();
    expect(updateRun(db, pending.id, { status: 'running' })?.startedAt).toBeInstanceOf(Date);
    finishRun(db, pending.id, 'completed');
    expect(getActiveRun(db, acc, ['initial', 'full'])).toBeNull();
    expect(listRuns(db, acc).map((r) => r.id)).toEqual([pending.id, labels.id]);
  });

  it('lets exactly one caller claim the finish, and rolls the claim back when its work fails', ({ db, acc }) => {
    const run = createRun(db, { accountId: acc, type: 'initial' });
    expect(() =>
      claimFinish(db, run.id, () => {
        throw new Error('crashed while finishing');
      }),
    ).toThrow('crashed while finishing');
    expect(getRun(db, run.id)?.status).toBe('running');
    const results = [1, 2, 3].map(() => claimFinish(db, run.id, () => updateAccount(db, acc, { initialSyncCompleted: true })));
    expect(results).toEqual([true, false, false]);
    expect(getRun(db, run.id)).toMatchObject({ status: 'completed' });
    expect(getAccount(db, acc)?.initialSyncCompleted).toBe(true);
    const failed = createRun(db, { accountId: acc, type: 'full' });
    finishRun(db, failed.id, 'failed', 'x');
    expect(claimFinish(db, failed.id)).toBe(false);
  });

  it('reconciles a full resync: what the listing did not see is deleted', ({ db, acc }) => {
    insertStubs(
      db,
      acc,
      ['a', 'b', 'c', 'd'].map((g, i) => ({ gmailId: g, threadId: 't', priority: 2, listSeq: i })),
    );
    const run = createRun(db, { accountId: acc, type: 'full' });
    expect(addListedIds(db, run.id, ['a', 'c'])).toBe(2);
    expect(addListedIds(db, run.id, ['c', 'e'])).toBe(1);
    expect(deleteMessagesNotListed(db, acc, run.id)).toBe(2);
    expect(countProgress(db, acc).total).toBe(2);
    expect((db.sqlite.prepare('SELECT count(*) AS n FROM listed_ids').get() as { n: number }).n).toBe(0);
  });
});
