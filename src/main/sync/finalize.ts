// The end of an initial or full sync is decided by the store, never by batch numbers: the listing is
// done and no stub is left. Exactly one caller wins the claim; the account then takes the historyId
// recorded before the listing, and an incremental pass replays whatever changed during the sync.
import { getActiveRun, claimFinish, deleteMessagesNotListed } from '../db/sync-runs';
import { updateAccount } from '../db/accounts';
import { PRIORITY } from '../queues/definitions';
import type { SyncDeps } from './sync-deps';
import { syncIntervalMs } from '../settings';
import { hasPendingStubs } from '../db/stubs';
import { transaction } from '../db';
import { queueSourceBackfill } from './source-backfill';

/** Label counts are compared with Gmail's a few times a day (a labels.get per label: a few units). */
export const HEALTH_CHECK_EVERY_MS = 6 * 3600 * 1000;

export async function maybeFinalize(deps: SyncDeps, accountId: number): Promise<boolean> {
  const { db } = deps;
  const run = getActiveRun(db, accountId, ['initial', 'full']);
  if (!run || !run.listingDone || hasPendingStubs(db, accountId)) return false;
  const won = transaction(db, () => {
    if (!claimFinish(db, run.id)) return false;
    if (run.type === 'full') {
      const gone = deleteMessagesNotListed(db, accountId, run.id);
      deps.log.info({ accountId, gone }, 'full resync removed messages gone from Gmail');
    }
    updateAccount(db, accountId, {
      historyId: run.startHistoryId,
      initialSyncCompleted: true,
      lastFullSyncAt: new Date(),
      lastError: null,
    });
    return true;
  });
  if (!won) return false;
  deps.log.info({ accountId, runId: run.id }, 'sync run completed');
  // Counts as Gmail has them at the end of the sync, then replay what changed while it ran.
  await deps.queues.addOnce('labelSync', { accountId }, PRIORITY.labels);
  await deps.queues.addOnce('incrementalSync', { accountId }, PRIORITY.incremental);
  await deps.queues.scheduleIncremental(accountId, syncIntervalMs(deps.config));
  await deps.queues.scheduleHealthCheck(accountId, HEALTH_CHECK_EVERY_MS);
  // Messages a resync kept from before, or fetched without their original (threads.get), get it now.
  await queueSourceBackfill(deps, accountId);
  deps.events.emit('accounts:changed', { accountId });
  deps.events.emit('sync:progress', { accountId });
  return true;
}
