// Incremental sync's writes: history.list deltas applied in order in one transaction with the new historyId
// (DESIGN.md "Incremental sync"), and the maintenance job's rewind.
import { and, eq, gt, sql } from 'drizzle-orm';
import type { Db } from './client';
import { guarded, historyIdToBigInt, inTransaction, preparedPerConnection, uniqueStrings } from './internal';
import { addLabel, removeLabel } from './message-labels';
import { accounts, messages } from './schema';

/**
 * One change from history.list, in order
 * (https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.history/list).
 * `historyId` is the id of the history record the change belongs to.
 */
export type HistoryOp =
  | { kind: 'added'; gmailId: string; threadId: string; labelIds: string[]; historyId: string }
  | { kind: 'deleted'; gmailId: string; historyId?: string }
  | { kind: 'labelsAdded' | 'labelsRemoved'; gmailId: string; threadId: string; labelIds: string[]; historyId: string };

const p = {
  accountId: sql.placeholder('accountId'),
  gmailId: sql.placeholder('gmailId'),
  id: sql.placeholder('id'),
};

const statements = preparedPerConnection((orm) => ({
  find: orm
    .select({ id: messages.id, labelsHistoryId: messages.labelsHistoryId, detailsFetched: messages.detailsFetched })
    .from(messages)
    .where(and(eq(messages.accountId, p.accountId), eq(messages.gmailId, p.gmailId)))
    .prepare(),
  insertStub: orm
    .insert(messages)
    .values({
      accountId: p.accountId,
      gmailId: p.gmailId,
      threadId: sql.placeholder('threadId'),
      fetchPriority: 0,
      listSeq: 0,
      labelsHistoryId: sql`${sql.placeholder('labelsHistoryId')}`,
    })
    .prepare(),
  urgent: orm
    .update(messages)
    .set({ fetchPriority: 0 })
    .where(and(eq(messages.id, p.id), eq(messages.detailsFetched, false), gt(messages.fetchPriority, 0)))
    .prepare(),
  setLabelsHistory: orm
    .update(messages)
    .set({ labelsHistoryId: sql`${sql.placeholder('labelsHistoryId')}` })
    .where(eq(messages.id, p.id))
    .prepare(),
  delete: orm.delete(messages).where(and(eq(messages.accountId, p.accountId), eq(messages.gmailId, p.gmailId))).prepare(),
}));

const accountHistoryId = (db: Db, accountId: number): string | null =>
  db.orm.select({ historyId: accounts.historyId }).from(accounts).where(eq(accounts.id, accountId)).get()?.historyId ?? null;

/**
 * Applies one incremental pass in one transaction, together with the new historyId
 * (DESIGN.md "Incremental sync"). Ops run in order. A label op older than the labels already
 * stored for that message (labels_history_id, set from a fetch or an earlier op) is skipped, so
 * replaying a pass changes nothing. Returns the gmail ids touched that still need fetching.
 * The account's history_id never moves backwards.
 */
export const applyHistory = guarded(function applyHistory(
  db: Db,
  accountId: number,
  ops: readonly HistoryOp[],
  newHistoryId: string,
): string[] {
  const s = statements(db);
  return inTransaction(db, () => {
    const touched: string[] = [];
    const touchedSet = new Set<string>();
    const touch = (id: string) => {
      if (!touchedSet.has(id)) {
        touchedSet.add(id);
        touched.push(id);
      }
    };
    const insertStub = (gmailId: string, threadId: string, labelsHistoryId: string | null): number =>
      Number(s.insertStub.run({ accountId, gmailId, threadId, labelsHistoryId }).lastInsertRowid);

    for (const op of ops) {
      if (op.kind === 'deleted') {
        s.delete.run({ accountId, gmailId: op.gmailId });
        continue;
      }
      touch(op.gmailId);
      const existing = s.find.get({ accountId, gmailId: op.gmailId });
      if (op.kind === 'added') {
        if (existing) {
          s.urgent.run({ id: existing.id });
          continue;
        }
        const id = insertStub(op.gmailId, op.threadId, op.historyId ?? null);
        for (const l of uniqueStrings(op.labelIds)) addLabel(db, accountId, id, l);
        continue;
      }
      const opHistory = historyIdToBigInt(op.historyId);
      let messageId: number;
      if (existing) {
        const stored = historyIdToBigInt(existing.labelsHistoryId);
        if (stored !== null && opHistory !== null && opHistory < stored) continue;
        messageId = existing.id;
        s.urgent.run({ id: messageId });
        if (opHistory !== null) s.setLabelsHistory.run({ id: messageId, labelsHistoryId: op.historyId });
      } else {
        // Not stored: a stub so it gets fetched; the fetch brings its full label set. The delta is
        // still recorded so that replaying this pass gives the same rows.
        messageId = insertStub(op.gmailId, op.threadId, opHistory === null ? null : op.historyId);
      }
      for (const l of uniqueStrings(op.labelIds)) {
        if (op.kind === 'labelsAdded') addLabel(db, accountId, messageId, l);
        else removeLabel(db, messageId, l);
      }
    }

    const stored = accountHistoryId(db, accountId);
    const current = historyIdToBigInt(stored);
    const next = historyIdToBigInt(newHistoryId);
    const historyId = current !== null && next !== null && next < current ? stored : newHistoryId;
    db.orm.update(accounts).set({ historyId, lastIncrementalSyncAt: new Date() }).where(eq(accounts.id, accountId)).run();

    return touched.filter((gmailId) => s.find.get({ accountId, gmailId })?.detailsFetched === false);
  });
});

/** Lowers the account's historyId (never raises it): history from there is replayed next pass. */
export const rewindHistoryId = guarded(function rewindHistoryId(db: Db, accountId: number, historyId: string): void {
  inTransaction(db, () => {
    const stored = historyIdToBigInt(accountHistoryId(db, accountId));
    const wanted = historyIdToBigInt(historyId);
    if (stored !== null && wanted !== null && stored > wanted) {
      db.orm.update(accounts).set({ historyId }).where(eq(accounts.id, accountId)).run();
    }
  });
});
