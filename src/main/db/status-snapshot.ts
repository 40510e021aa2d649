// What an account's sync status is computed from, read in one go from the store (any process can read
// it: the app, `serve`, `status`, `sync --wait`). The projection itself is src/main/sync/status.ts.
import type { Db } from './client';
import type { Account, SyncRun } from './schema';
import { latestListingRun } from './sync-runs';
import { getAccount } from './accounts';
import { labelProgress, listLabels } from './labels';
import { countProgress } from './stubs';
import { guarded } from './internal';


/** Labels whose progress the status shows, in this order, when the account has them. */
export const TRACKED_LABELS = ['INBOX', 'SENT'] as const;

export type StatusSnapshot = {
  account: Account;
  /** Message rows (stubs included) and how many have their details. */
  counts: { total: number; fetched: number };
  /** The newest initial or full run, if any. */
  run: { type: SyncRun['type']; status: SyncRun['status']; listingDone: boolean; error: string | null } | null;
  /** Progress of the tracked labels the account has: fetched messages carrying it, Gmail's total. */
  labels: { labelId: string; name: string; fetched: number; total: number | null }[];
};

export const readStatusSnapshot = guarded(function readStatusSnapshot(db: Db, accountId: number): StatusSnapshot | null {
  const account = getAccount(db, accountId);
  if (!account) return null;
  const { total, fetched } = countProgress(db, accountId);
  const run = latestListingRun(db, accountId);
  const names = new Map(listLabels(db, accountId).map((l) => [l.id, l.name]));
  const tracked = TRACKED_LABELS.filter((id) => names.has(id));
  return {
    account,
    counts: { total, fetched },
    run: run ? { type: run.type, status: run.status, listingDone: Boolean(run.listingDone), error: run.error } : null,
    labels: labelProgress(db, accountId, tracked).map((p) => ({ labelId: p.labelId, name: names.get(p.labelId) ?? p.labelId, fetched: p.fetched, total: p.total })),
  };
});
