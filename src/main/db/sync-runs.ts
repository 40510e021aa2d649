// Sync runs: the durable state of a labels/initial/full/incremental sync (SQLite is the source of
// truth; Redis only holds jobs), with the listing checkpoint and the full-resync listed set.
import { and, desc, eq, inArray, notInArray, sql } from 'drizzle-orm';
import type { Db } from './client';
import { guarded, inTransaction, preparedPerConnection } from './internal';
import { listedIds, messages, syncRuns, type SyncRun } from './schema';

export type { SyncRun };
export type SyncRunType = SyncRun['type'];
export type SyncRunStatus = SyncRun['status'];

export type NewSyncRun = {
  accountId: number;
  type: SyncRunType;
  /** Default 'running' (startedAt is set then). */
  status?: SyncRunStatus;
  startHistoryId?: string | null;
};

export type SyncRunPatch = Partial<{
  status: SyncRunStatus;
  startHistoryId: string | null;
  pageToken: string | null;
  listingDone: boolean;
  listedCount: number;
  error: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
}>;

export const getRun = guarded(function getRun(db: Db, runId: number): SyncRun | null {
  return db.orm.select().from(syncRuns).where(eq(syncRuns.id, runId)).get() ?? null;
});

export const createRun = guarded(function createRun(db: Db, input: NewSyncRun): SyncRun {
  const status = input.status ?? 'running';
  const now = new Date();
  const row = db.orm
    .insert(syncRuns)
    .values({
      accountId: input.accountId,
      type: input.type,
      status,
      startHistoryId: input.startHistoryId ?? null,
      startedAt: status === 'running' ? now : null,
      updatedAt: now,
    })
    .returning()
    .get();
  return row;
});

/** The newest pending or running run of one of these types, or null. */
export const getActiveRun = guarded(function getActiveRun(db: Db, accountId: number, types: readonly SyncRunType[]): SyncRun | null {
  if (types.length === 0) return null;
  return (
    db.orm
      .select()
      .from(syncRuns)
      .where(and(eq(syncRuns.accountId, accountId), inArray(syncRuns.status, ['pending', 'running']), inArray(syncRuns.type, [...types])))
      .orderBy(desc(syncRuns.id))
      .limit(1)
      .get() ?? null
  );
});

/** The account's runs, newest first. */
export const listRuns = guarded(function listRuns(db: Db, accountId: number, limit: number = 20): SyncRun[] {
  return db.orm.select().from(syncRuns).where(eq(syncRuns.accountId, accountId)).orderBy(desc(syncRuns.id)).limit(limit).all();
});

export const updateRun = guarded(function updateRun(db: Db, runId: number, patch: SyncRunPatch): SyncRun | null {
  const values = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as SyncRunPatch;
  if (values.status === 'running' && values.startedAt === undefined) {
    const current = getRun(db, runId);
    if (current && current.startedAt === null) values.startedAt = new Date();
  }
  db.orm
    .update(syncRuns)
    .set({ ...values, updatedAt: new Date() })
    .where(eq(syncRuns.id, runId))
    .run();
  return getRun(db, runId);
});

/** Marks the run completed or failed (with a readable error) and stamps finishedAt. */
export const finishRun = guarded(function finishRun(
  db: Db,
  runId: number,
  status: 'completed' | 'failed',
  error?: string | null,
): SyncRun | null {
  const now = new Date();
  db.orm
    .update(syncRuns)
    .set({ status, error: error ?? null, finishedAt: now, updatedAt: now })
    .where(eq(syncRuns.id, runId))
    .run();
  return getRun(db, runId);
});

const statements = preparedPerConnection((orm) => ({
  // One per listed page of a full resync: 500 rows at a time.
  addListed: orm
    .insert(listedIds)
    .values({ runId: sql.placeholder('runId'), gmailId: sql.placeholder('gmailId') })
    .onConflictDoNothing()
    .prepare(),
}));

/**
 * Completes a running run if nobody else has: with concurrent batch jobs several may see "no
 * stub left", and exactly one must do the finishing work. `onClaim` runs in the same
 * transaction (e.g. mark the account synced), so a failure there un-claims the run.
 */
export const claimFinish = guarded(function claimFinish(db: Db, runId: number, onClaim?: () => void): boolean {
  return inTransaction(db, () => {
    const now = new Date();
    const won =
      db.orm
        .update(syncRuns)
        .set({ status: 'completed', finishedAt: now, updatedAt: now })
        .where(and(eq(syncRuns.id, runId), eq(syncRuns.status, 'running')))
        .run().changes === 1;
    if (won && onClaim) onClaim();
    return won;
  });
});

/** Records gmail ids a full resync's listing saw (reconcile step). Returns how many were new. */
export const addListedIds = guarded(function addListedIds(db: Db, runId: number, gmailIds: readonly string[]): number {
  const add = statements(db).addListed;
  return inTransaction(db, () => {
    let n = 0;
    for (const gmailId of gmailIds) n += add.run({ runId, gmailId }).changes;
    return n;
  });
});

/**
 * Full resync reconcile (DESIGN.md "Expired history"): deletes the account's stored messages the
 * finished listing of this run did not see, then forgets the listed set. Returns how many went.
 */
export const deleteMessagesNotListed = guarded(function deleteMessagesNotListed(db: Db, accountId: number, runId: number): number {
  return inTransaction(db, () => {
    const listed = db.orm.select({ gmailId: listedIds.gmailId }).from(listedIds).where(eq(listedIds.runId, runId));
    const n = db.orm
      .delete(messages)
      .where(and(eq(messages.accountId, accountId), notInArray(messages.gmailId, listed)))
      .run().changes;
    db.orm.delete(listedIds).where(eq(listedIds.runId, runId)).run();
    return n;
  });
});

/**
 * The newest initial or full sync run of the account (of any account when none is given), finished or not: when
 * the last listing started and ended, and how much it listed. Read-only.
 */
export const latestListingRun = guarded(function latestListingRun(db: Db, accountId?: number): SyncRun | null {
  return (
    db.orm
      .select()
      .from(syncRuns)
      .where(and(inArray(syncRuns.type, ['initial', 'full']), accountId === undefined ? undefined : eq(syncRuns.accountId, accountId)))
      .orderBy(desc(syncRuns.id))
      .limit(1)
      .get() ?? null
  );
});
