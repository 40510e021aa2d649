// What a watcher of another process's store (the benchmark) reads: a read-only connection and the counts it needs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CannotOpenDatabaseError,
  ReadonlyDatabaseError,
  countFetchedMessages,
  createAccount,
  createRun,
  databaseFile,
  finishRun,
  insertStubs,
  latestListingRun,
  listAccounts,
  openDatabase,
  openDatabaseReadOnly,
  saveMessageDetails,
  updateAccount,
} from '../../src/main/db';
import { parsedMessage } from '../helpers/parsed-message';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mm-db-ro-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('a store opened read-only', () => {
  it('refuses a file that does not exist', () => {
    expect(() => openDatabaseReadOnly(databaseFile(dir))).toThrow(CannotOpenDatabaseError);
  });

  it('reads the last listing run, fetched counts and label sync, and refuses writes', () => {
    const db = openDatabase(databaseFile(dir));
    const acc = createAccount(db, { email: 'me@example.com' }).id;
    insertStubs(db, acc, ['a', 'b', 'c'].map((gmailId, i) => ({ gmailId, threadId: gmailId, priority: 2, listSeq: i })));
    saveMessageDetails(db, acc, [parsedMessage('a'), parsedMessage('b')], { insertMissing: false });
    createRun(db, { accountId: acc, type: 'labels' });
    const run = createRun(db, { accountId: acc, type: 'initial' });
    finishRun(db, run.id, 'completed');
    updateAccount(db, acc, { labelSyncCompleted: true });

    const ro = openDatabaseReadOnly(databaseFile(dir), { busyTimeoutMs: 2000 });
    try {
      expect(countFetchedMessages(ro)).toBe(2);
      expect(countFetchedMessages(ro, ['a', 'c', 'zzz'])).toBe(1);
      const last = latestListingRun(ro);
      expect(last).toMatchObject({ id: run.id, type: 'initial', status: 'completed' });
      expect(last?.finishedAt).toBeInstanceOf(Date);
      expect(listAccounts(ro)[0]?.labelSyncCompleted).toBe(true);
      expect(() => createAccount(ro, { email: 'other@example.com' })).toThrow(ReadonlyDatabaseError);
    } finally {
      ro.close();
      db.close();
    }
  });
});
