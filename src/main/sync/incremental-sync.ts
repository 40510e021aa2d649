// Partial sync from Gmail history: https://developers.google.com/workspace/gmail/api/guides/sync#partial_synchronization
// Every page is read (a page can be empty and still carry a nextPageToken); the records are applied in
// order, in one transaction with the response's historyId (never a later getProfile's). Added messages
// and label changes on messages not stored yet become stubs fetched at high priority. A 404 means the
// history has expired: a reconciling full resync starts, and the mirror stays browsable meanwhile.
import type { Job } from 'bullmq';
import type { gmail_v1 } from 'googleapis';
import { getAccount } from '../db/accounts';
import { getActiveRun } from '../db/sync-runs';
import { applyHistory } from '../db/history';
import { GmailNotFoundError } from '../gmail/errors';
import { PRIORITY } from '../queues/definitions';
import type { SyncDeps } from './sync-deps';
import { historyToOps } from './history-parser';
import { enqueueFetch } from './dispatch';
import { syncTouchedLabels } from './label-sync';

const HISTORY_TYPES = ['messageAdded', 'messageDeleted', 'labelAdded', 'labelRemoved'];

export type IncrementalResult = { records: number; changes: number; toFetch: number; expired: boolean };

const NONE: IncrementalResult = { records: 0, changes: 0, toFetch: 0, expired: false };

/**
 * The pass running for each account in this process. A scheduled pass and one asked for run at the same time would
 * read the same history twice (and the second, finding it applied, could no longer tell which labels it touched).
 */
const passes = new Map<number, Promise<IncrementalResult>>();
/** When the last pass of each account that finished in this process started reading history (ms). */
const lastStarted = new Map<number, number>();

/**
 * One pass at a time per account: a second waits for the first, and is not needed at all when it was due before
 * the first started reading history (that one read everything the asker wanted).
 */
export function incrementalSyncProcessor(data: { accountId: number }, deps: SyncDeps, job?: Pick<Job, 'timestamp' | 'delay'>): Promise<IncrementalResult> {
  const { accountId } = data;
  const next = (passes.get(accountId) ?? Promise.resolve(null))
    .catch(() => null)
    .then(async () => {
      const covered = lastStarted.get(accountId);
      // A scheduled pass is due at its delay's end, not when it was created.
      if (job && covered !== undefined && job.timestamp + (job.delay ?? 0) < covered) return NONE;
      const started = Date.now();
      const result = await incrementalPass(data, deps);
      lastStarted.set(accountId, started);
      return result;
    });
  passes.set(accountId, next);
  next
    .finally(() => {
      if (passes.get(accountId) === next) passes.delete(accountId);
    })
    .catch(() => undefined);
  return next;
}

async function incrementalPass(data: { accountId: number }, deps: SyncDeps): Promise<IncrementalResult> {
  const { db } = deps;
  const accountId = data.accountId;
  const acct = getAccount(db, accountId);
  // Paused while the account's initial or full sync runs: that sync ends with its own pass.
  if (!acct || acct.status === 'needs_reconnect' || !acct.initialSyncCompleted || !acct.historyId) return NONE;
  if (getActiveRun(db, accountId, ['initial', 'full'])) return NONE;

  const records: gmail_v1.Schema$History[] = [];
  let historyId: string | null = null;
  let pageToken: string | undefined;
  try {
    do {
      const res = await deps.gmail.call(accountId, 'history.list', (g) =>
        g.users.history.list({
          userId: 'me',
          startHistoryId: acct.historyId!,
          historyTypes: HISTORY_TYPES,
          maxResults: 500,
          pageToken,
        }),
      );
      records.push(...(res.data.history ?? []));
      historyId = res.data.historyId ?? historyId;
      pageToken = res.data.nextPageToken ?? undefined;
    } while (pageToken);
  } catch (e) {
    if (e instanceof GmailNotFoundError) {
      deps.log.warn({ accountId, historyId: acct.historyId }, 'history expired: full resync');
      await deps.queues.addOnce('labelSync', { accountId }, PRIORITY.labels);
      await deps.queues.addOnce('initialSync', { accountId, mode: 'full' }, PRIORITY.initial);
      deps.events.emit('accounts:changed', { accountId });
      return { ...NONE, expired: true };
    }
    throw e;
  }

  const ops = historyToOps(records);
  const { toFetch, touched } = applyHistory(db, accountId, ops, historyId ?? acct.historyId);
  if (toFetch.length) {
    await enqueueFetch(
      deps,
      accountId,
      toFetch.map((gmailId) => ({ gmailId, threadId: gmailId, priority: 0 })),
      [],
    );
  }
  // Label definitions are not in history: labels.list each pass (1 unit). Counts (labels.get) of the labels the
  // changes touched; messages still to fetch bring theirs (message-batch.ts).
  await syncTouchedLabels(deps, accountId, touched);
  if (ops.length) {
    deps.events.emit('messages:changed', { accountId });
    deps.events.emit('labels:changed', { accountId });
  }
  deps.events.emit('sync:progress', { accountId });
  deps.log.info({ accountId, records: records.length, ops: ops.length, toFetch: toFetch.length, labels: touched.labels.length, labelsUnknown: touched.unknown, historyId }, 'incremental pass');
  return { records: records.length, changes: ops.length, toFetch: toFetch.length, expired: false };
}
