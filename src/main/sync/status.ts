// An account's sync status, read from the store alone (so any process can show it): phase,
// processed/total counted from message rows, never from batch numbers.
import type { Db } from '../db/client';
import type { Account, SyncRun } from '../db/schema';

export type SyncPhase = 'needs_reconnect' | 'not_synced' | 'listing' | 'fetching' | 'synced' | 'failed';

export type AccountSyncStatus = {
  accountId: number;
  email: string;
  phase: SyncPhase;
  /** Messages whose details are in the mirror. */
  processed: number;
  /** Messages known to exist (stored rows; while listing, at least getProfile's total). */
  total: number;
  percent: number;
  runType: SyncRun['type'] | null;
  historyId: string | null;
  lastFullSyncAt: Date | null;
  lastIncrementalSyncAt: Date | null;
  error: string | null;
};

export function accountSyncStatus(db: Db, account: Account): AccountSyncStatus {
  const counts = db.sqlite
    .prepare('SELECT count(*) AS total, coalesce(sum(details_fetched), 0) AS fetched FROM messages WHERE account_id = ?')
    .get(account.id) as { total: number; fetched: number };
  const run = db.sqlite
    .prepare(
      `SELECT type, status, listing_done AS listingDone, error FROM sync_runs
        WHERE account_id = ? AND type IN ('initial', 'full') ORDER BY id DESC LIMIT 1`,
    )
    .get(account.id) as { type: SyncRun['type']; status: SyncRun['status']; listingDone: number; error: string | null } | undefined;
  const active = run && (run.status === 'running' || run.status === 'pending');
  let phase: SyncPhase;
  if (account.status === 'needs_reconnect') phase = 'needs_reconnect';
  else if (active) phase = run.listingDone ? 'fetching' : 'listing';
  else if (run?.status === 'failed') phase = 'failed';
  else if (account.initialSyncCompleted) phase = counts.total > counts.fetched ? 'fetching' : 'synced';
  else phase = 'not_synced';
  let total = counts.total;
  if (phase === 'listing') total = Math.max(total, account.messagesTotal ?? 0);
  const percent = phase === 'synced' ? 100 : total === 0 ? 0 : Math.min(99.9, (100 * counts.fetched) / total);
  return {
    accountId: account.id,
    email: account.email,
    phase,
    processed: counts.fetched,
    total,
    percent: Math.round(percent * 10) / 10,
    runType: active ? run.type : null,
    historyId: account.historyId,
    lastFullSyncAt: account.lastFullSyncAt,
    lastIncrementalSyncAt: account.lastIncrementalSyncAt,
    error: account.status === 'needs_reconnect' || phase === 'failed' ? (account.lastError ?? run?.error ?? null) : null,
  };
}
