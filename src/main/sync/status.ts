// An account's sync status: ONE pure function from what the store says (a StatusSnapshot, read by
// db/status-snapshot.ts) plus what only the running process knows (rate, Gmail unreachable, a
// damaged store) to the contract's SyncStatus. The app's windows, `serve`, `status`, `sync --wait`
// and the tests all render what this returns, so they show the same phase and the same numbers.
import type { IpcErrorCode, SyncPhase, SyncStatus } from '../../shared/ipc';
import type { StatusSnapshot } from '../db/status-snapshot';

/** Facts of the running process (none of them in the store). */
export type StatusFacts = {
  /** Messages per second lately (0 when unknown or idle). */
  ratePerSecond?: number;
  /** Why Gmail cannot be reached for this account right now, or null. */
  offline?: string | null;
  /** What the user is told while the store is damaged (nothing else is shown then), or null. */
  damage?: string | null;
};

const OFFLINE_MESSAGE = 'Gmail cannot be reached: the mirror works offline and syncing resumes when the network is back.';

/** Where the mirror stands, from the store alone. */
function storedPhase(s: StatusSnapshot): SyncPhase {
  const { account, run, counts } = s;
  if (account.status === 'needs_reconnect') return 'needs_reconnect';
  if (run && (run.status === 'running' || run.status === 'pending')) return run.listingDone ? 'fetching' : 'listing';
  if (run?.status === 'failed') return 'error';
  if (account.initialSyncCompleted) return counts.total > counts.fetched ? 'fetching' : 'idle';
  return 'queued';
}

export function projectSyncStatus(s: StatusSnapshot, facts: StatusFacts = {}): SyncStatus {
  const { account } = s;
  const last = Math.max(account.lastFullSyncAt?.getTime() ?? 0, account.lastIncrementalSyncAt?.getTime() ?? 0) || null;
  if (facts.damage) {
    return {
      accountId: account.id,
      phase: 'error',
      processed: 0,
      total: null,
      percent: 0,
      ratePerSecond: null,
      etaSeconds: null,
      error: { code: 'DB_DAMAGED', message: facts.damage },
      offline: false,
      initialSyncCompleted: false,
      lastSyncAt: null,
      labels: [],
    };
  }
  const stored = storedPhase(s);
  const processed = s.counts.fetched;
  // While listing, at least getProfile's total is known.
  const total = stored === 'listing' ? Math.max(s.counts.total, account.messagesTotal ?? 0) : s.counts.total;
  const exact = stored === 'idle' ? 100 : total === 0 ? 0 : Math.min(99.9, (100 * processed) / total);
  const busy = stored === 'listing' || stored === 'fetching';
  const rate = busy && facts.ratePerSecond && facts.ratePerSecond > 0 ? facts.ratePerSecond : null;
  const offline = facts.offline ?? null;
  const storedError = stored === 'needs_reconnect' || stored === 'error' ? (account.lastError ?? s.run?.error ?? null) : null;
  const errorCode: IpcErrorCode = stored === 'needs_reconnect' ? 'AUTH_EXPIRED' : 'INTERNAL';
  return {
    accountId: account.id,
    phase: offline && stored !== 'needs_reconnect' ? 'error' : stored,
    processed,
    total: total || null,
    percent: Math.round(exact * 10) / 10,
    ratePerSecond: rate,
    etaSeconds: rate !== null && total ? Math.max(0, (total - processed) / rate) : null,
    error: offline ? { code: 'OFFLINE', message: OFFLINE_MESSAGE } : storedError ? { code: errorCode, message: storedError } : null,
    offline: offline !== null,
    initialSyncCompleted: account.initialSyncCompleted,
    lastSyncAt: last,
    labels: s.labels.map((l) => ({ labelId: l.labelId, name: l.name, processed: l.fetched, total: Math.max(l.total ?? 0, l.fetched) })),
  };
}

/** An account's status as the CLI shows it: the projection, with the account's own facts beside it. */
export type AccountStatus = {
  email: string;
  historyId: string | null;
  lastFullSyncAt: Date | null;
  lastIncrementalSyncAt: Date | null;
  status: SyncStatus;
};

export function accountStatus(s: StatusSnapshot, facts: StatusFacts = {}): AccountStatus {
  const { account } = s;
  return {
    email: account.email,
    historyId: account.historyId,
    lastFullSyncAt: account.lastFullSyncAt,
    lastIncrementalSyncAt: account.lastIncrementalSyncAt,
    status: projectSyncStatus(s, facts),
  };
}
