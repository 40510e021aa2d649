// The gmail-maintenance queue: health check with repair, store upkeep, the start-up schedule sweep.
import type { Job } from 'bullmq';
import { getAccount, listAccounts } from '../db/accounts';
import { getActiveRun } from '../db/sync-runs';
import { labelCountsOlderThan, listLabels } from '../db/labels';
import { assertStoreIntact, optimize } from '../db/maintenance';
import type { SyncDeps } from './sync-deps';
import { attachmentCapBytes, loadSettings, syncIntervalMs } from '../settings';
import { messagesMissingSource } from '../db/sources';
import { queueSourceBackfill } from './source-backfill';
import { reconcileLabels } from './label-reconcile';
import { refreshLabelCounts } from './label-sync';
import { hasPendingStubs } from '../db/stubs';
import { rewindHistoryId } from '../db/history';
import { HEALTH_CHECK_EVERY_MS } from './finalize';

/** An account can run incremental passes once its initial sync is done and it is connected. */
export function canPerformIncrementalSync(deps: SyncDeps, accountId: number): boolean {
  const a = getAccount(deps.db, accountId);
  return !!a && a.status !== 'needs_reconnect' && a.initialSyncCompleted && a.labelSyncCompleted && !!a.historyId;
}

/**
 * Compares Gmail's label counts (labels.get) with the mirror's; a label that drifted is repaired by a
 * targeted resync of that label's membership, with the historyId rewound to before the listing so
 * nothing that changed meanwhile is lost.
 */
export async function syncHealthCheckProcessor(data: { accountId: number }, deps: SyncDeps): Promise<{ drifted: string[] }> {
  const { accountId } = data;
  if (!canPerformIncrementalSync(deps, accountId) || getActiveRun(deps.db, accountId, ['initial', 'full'])) return { drifted: [] };
  const acct = getAccount(deps.db, accountId)!;
  // Counts every incremental pass keeps fresh for what it touched, and re-reads in full on their own schedule
  // (config.labelRecountMs): read again only when older than half that, so a check at start-up costs nothing.
  if (labelCountsOlderThan(deps.db, accountId, Date.now() - deps.config.labelRecountMs / 2)) {
    await refreshLabelCounts(deps, accountId, listLabels(deps.db, accountId).map((l) => l.id));
  }
  // Only a settled mirror can drift: while stubs wait for details their labels are unknown.
  const drifted =
    hasPendingStubs(deps.db, accountId)
      ? []
      : listLabels(deps.db, accountId)
          .filter((l) => l.localMessagesTotal !== l.messagesTotal)
          .map((l) => l.id);
  // A mirror made before full copies (or under a smaller cap) gets the originals it lacks, in the background.
  if (messagesMissingSource(deps.db, accountId, 0, 1, attachmentCapBytes(loadSettings(deps.config))).length) await queueSourceBackfill(deps, accountId);
  if (drifted.length) {
    // Taken before listing: the next incremental pass replays whatever changes while the labels are listed.
    const profile = await deps.gmail.call(accountId, 'users.getProfile', (g) => g.users.getProfile({ userId: 'me' }));
    await reconcileLabels(deps, accountId, drifted, acct.includeSpamTrash);
    if (profile.data.historyId) rewindHistoryId(deps.db, accountId, profile.data.historyId);
    deps.log.warn({ accountId, drifted }, 'label counts drifted: repaired');
  }
  return { drifted };
}

export async function storeMaintenanceProcessor(_data: Record<string, never>, deps: SyncDeps): Promise<void> {
  // About daily (the job runs every 6 h; the first time at start), the whole file is checked first (the check at
  // open is bounded): damage stops everything before anything more is written (workers.ts makes it the damaged state).
  assertStoreIntact(deps.db, 20 * 3600 * 1000);
  optimize(deps.db);
  for (const q of Object.values(deps.queues.queues)) {
    await q.clean(24 * 3600 * 1000, 1000, 'completed');
    await q.clean(7 * 24 * 3600 * 1000, 1000, 'failed');
  }
}

/** Start-up sweep: every eligible account gets its incremental schedule back. */
export async function scheduledIncrementalSyncProcessor(_data: Record<string, never>, deps: SyncDeps): Promise<number> {
  let n = 0;
  // Schedules of accounts removed while no worker ran (the CLI removes accounts without Redis).
  const known = new Set(listAccounts(deps.db).map((a) => a.id));
  for (const q of [deps.queues.queues['gmail-sync'], deps.queues.queues['gmail-maintenance']]) {
    for (const s of await q.getJobSchedulers()) {
      const m = /^(?:incremental|health):(\d+)$/.exec(s.key ?? '');
      if (m && !known.has(Number(m[1]))) await q.removeJobScheduler(s.key);
    }
  }
  for (const a of listAccounts(deps.db)) {
    if (canPerformIncrementalSync(deps, a.id)) {
      await deps.queues.scheduleIncremental(a.id, syncIntervalMs(deps.config));
      await deps.queues.scheduleHealthCheck(a.id, HEALTH_CHECK_EVERY_MS);
      n++;
    } else {
      await deps.queues.unscheduleIncremental(a.id);
    }
  }
  return n;
}

export const maintenanceProcessors = {
  syncHealthCheck: syncHealthCheckProcessor,
  storeMaintenance: storeMaintenanceProcessor,
  scheduledIncrementalSync: scheduledIncrementalSyncProcessor,
} satisfies Record<string, (data: never, deps: SyncDeps, job: Job) => Promise<unknown>>;
