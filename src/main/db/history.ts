// Incremental sync's writes: history.list deltas applied in order in one transaction with the new historyId
// (DESIGN.md "Incremental sync"), and the maintenance job's rewind.
import { and, eq, gt, sql } from 'drizzle-orm';
import type { Db } from './client';
import { guarded, historyIdToBigInt, inTransaction, preparedPerConnection, uniqueStrings } from './internal';
import { markLabelCountsStale } from './labels';
import { addLabel, removeLabel } from './message-labels';
import { accounts, messageLabels, messages } from './schema';

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
  labelsOf: orm
    .select({ labelId: messageLabels.labelId })
    .from(messageLabels)
    .innerJoin(messages, eq(messages.id, messageLabels.messageId))
    .where(and(eq(messages.accountId, p.accountId), eq(messages.gmailId, p.gmailId)))
    .prepare(),
}));

/**
 * What an incremental pass changed, for the label counts (labels.get) to read again. Gmail's counts of a label move
 * when a message carrying it goes, gains or loses it, or turns read or unread: so the labels each change names, and
 * for a deletion or a change of UNREAD all the labels of that message. An added message's labels come with its
 * fetch, which reads their counts then (message-batch.ts). `unknown` when a message whose labels were never known
 * was deleted: only a re-read of every label's counts is exact then. Anything subtler (say, thread counts that
 * follow another message of the thread) is caught by the full re-read on its own schedule (config.labelRecountMs).
 */
export type TouchedLabels = { labels: string[]; unknown: boolean };

export type AppliedHistory = {
  /** Gmail ids touched that still need fetching. */
  toFetch: string[];
  touched: TouchedLabels;
};

const accountHistoryId = (db: Db, accountId: number): string | null =>
  db.orm.select({ historyId: accounts.historyId }).from(accounts).where(eq(accounts.id, accountId)).get()?.historyId ?? null;

/**
 * Applies one incremental pass in one transaction, together with the new historyId
 * (DESIGN.md "Incremental sync"). Ops run in order. A label op older than the labels already
 * stored for that message (labels_history_id, set from a fetch or an earlier op) is skipped, so
 * replaying a pass changes nothing. Returns the gmail ids touched that still need fetching and the labels whose
 * counts may have moved. The account's history_id never moves backwards.
 */
export const applyHistory = guarded(function applyHistory(
  db: Db,
  accountId: number,
  ops: readonly HistoryOp[],
  newHistoryId: string,
): AppliedHistory {
  const s = statements(db);
  return inTransaction(db, () => {
    const labels = new Set<string>();
    let unknown = false;
    // Stubs this pass created: a message added and deleted within it moved no count for good.
    const addedNow = new Set<string>();
    const noteLabelsOf = (gmailId: string): void => {
      for (const r of s.labelsOf.all({ accountId, gmailId })) labels.add(r.labelId);
    };
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
        const gone = s.find.get({ accountId, gmailId: op.gmailId });
        if (!gone || (!gone.detailsFetched && !addedNow.has(op.gmailId))) unknown = true;
        noteLabelsOf(op.gmailId);
        s.delete.run({ accountId, gmailId: op.gmailId });
        continue;
      }
      touch(op.gmailId);
      // An added message's labels come with its fetch (message-batch.ts reads their counts then).
      if (op.kind !== 'added') {
        for (const l of op.labelIds) labels.add(l);
        if (op.labelIds.includes('UNREAD')) noteLabelsOf(op.gmailId);
      }
      const existing = s.find.get({ accountId, gmailId: op.gmailId });
      if (op.kind === 'added') {
        if (existing) {
          s.urgent.run({ id: existing.id });
          continue;
        }
        addedNow.add(op.gmailId);
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

    // The counts these changes may have moved are marked stale with them, in this transaction: a pass that dies
    // before it reads them (labels.get) leaves the mark, and the next pass reads them though its history is empty.
    markLabelCountsStale(db, accountId, unknown ? 'all' : [...labels]);

    return {
      toFetch: touched.filter((gmailId) => s.find.get({ accountId, gmailId })?.detailsFetched === false),
      touched: { labels: [...labels].sort(), unknown },
    };
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
