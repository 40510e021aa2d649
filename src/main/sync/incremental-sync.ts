// Partial sync from Gmail history: https://developers.google.com/workspace/gmail/api/guides/sync#partial_synchronization
// Every page is read (a page can be empty and still carry a nextPageToken); the records are applied in
// order, in one transaction with the response's historyId (never a later getProfile's). Added messages
// and label changes on messages not stored yet become stubs fetched at high priority. A 404 means the
// history has expired: a reconciling full resync starts, and the mirror stays browsable meanwhile.
import type { gmail_v1 } from 'googleapis';
import { getAccount } from '../db/accounts';
import { getActiveRun } from '../db/sync-runs';
import { applyHistory } from '../db/history';
import { listLabels } from '../db/labels';
import { GmailNotFoundError } from '../gmail/errors';
import { PRIORITY } from '../queues/definitions';
import type { SyncDeps } from './sync-deps';
import { historyToOps } from './history-parser';
import { enqueueFetch } from './dispatch';
import { syncAllLabels } from './label-sync';

const HISTORY_TYPES = ['messageAdded', 'messageDeleted', 'labelAdded', 'labelRemoved'];

export type IncrementalResult = { records: number; changes: number; toFetch: number; expired: boolean };

export async function incrementalSyncProcessor(data: { accountId: number }, deps: SyncDeps): Promise<IncrementalResult> {
  const { db } = deps;
  const accountId = data.accountId;
  const none = { records: 0, changes: 0, toFetch: 0, expired: false };
  const acct = getAccount(db, accountId);
  // Paused while the account's initial or full sync runs: that sync ends with its own pass.
  if (!acct || acct.status === 'needs_reconnect' || !acct.initialSyncCompleted || !acct.historyId) return none;
  if (getActiveRun(db, accountId, ['initial', 'full'])) return none;

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
      return { ...none, expired: true };
    }
    throw e;
  }

  const ops = historyToOps(records);
  const before = new Map(listLabels(db, accountId).map((l) => [l.id, `${l.name}\u0000${l.color ?? ''}\u0000${l.textColor ?? ''}`]));
  const toFetch = applyHistory(db, accountId, ops, historyId ?? acct.historyId);
  if (toFetch.length) {
    await enqueueFetch(
      deps,
      accountId,
      toFetch.map((gmailId) => ({ gmailId, threadId: gmailId, priority: 0 })),
      [],
    );
  }
  // Label definitions are not in history: re-read them each pass (labels.list is 1 unit). Counts
  // (labels.get) only when something changed.
  if (ops.length > 0) {
    await syncAllLabels(deps, accountId);
  } else {
    const res = await deps.gmail.call(accountId, 'labels.list', (g) => g.users.labels.list({ userId: 'me' }));
    const now = res.data.labels ?? [];
    const changed =
      now.length !== before.size ||
      now.some((l) => before.get(l.id ?? '') !== `${l.name}\u0000${l.color?.backgroundColor ?? ''}\u0000${l.color?.textColor ?? ''}`);
    if (changed) await syncAllLabels(deps, accountId);
  }
  if (ops.length) {
    deps.events.emit('messages:changed', { accountId });
    deps.events.emit('labels:changed', { accountId });
  }
  deps.events.emit('sync:progress', { accountId });
  deps.log.info({ accountId, records: records.length, ops: ops.length, toFetch: toFetch.length, historyId }, 'incremental pass');
  return { records: records.length, changes: ops.length, toFetch: toFetch.length, expired: false };
}
