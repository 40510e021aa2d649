// An account's sync status: ONE pure function from what the store says (a StatusSnapshot, read by
// db/status-snapshot.ts) plus what only the running process knows (rate, how Gmail answers, Redis,
// the disk, a damaged store, a sync just asked for) to the contract's SyncStatus. The app's windows, `serve`, `status`, `sync --wait`
// and the tests all render what this returns, so they show the same phase and the same numbers.
import type { QuotaProfileName, QuotaProfileSetting, QuotaProfileSource } from '../../shared/gmail-quota';
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
  /** Gmail has answered this account's requests with server errors since this time (ms), or null. */
  gmailFailingSince?: number | null;
  /** The local queue (Redis) is not answering: how long, in words, or null. */
  redis?: string | null;
  /** Syncing is paused by the disk (full, read-only): why, or null. */
  storage?: string | null;
  /** A sync the user asked for (Sync now) at this time (ms) and not finished yet, or null. */
  requestedAt?: number | null;
  /** Now (ms): the projection is pure, the caller's clock decides. */
  now?: number;
  /** MAILMIRROR_QUOTA_PROFILE in effect; with `auto`, the table is the one the store remembers for the account. */
  quotaProfile?: QuotaProfileSetting;
};

/** The quota table the account is paced to, and how it was chosen (none when the caller did not say the setting). */
function quotaOf(s: StatusSnapshot, setting: QuotaProfileSetting | undefined): { quotaProfile?: QuotaProfileName; quotaProfileSource?: QuotaProfileSource } {
  if (setting === undefined) return {};
  if (setting !== 'auto') return { quotaProfile: setting, quotaProfileSource: 'set' };
  const found = s.account.quotaProfile;
  return found ? { quotaProfile: found, quotaProfileSource: 'detected' } : { quotaProfile: '2026', quotaProfileSource: 'assumed' };
}

const OFFLINE_MESSAGE = 'Gmail cannot be reached: the mirror works offline and syncing resumes when the network is back.';
const FAILING_MESSAGE = 'Gmail is answering with errors right now: Mailmirror keeps retrying, and your mirror stays browsable.';
/** Server errors shown as trouble only once they last this long (one 500 among successes is not news). */
export const FAILING_AFTER_MS = 5_000;
/** How long an asked-for sync is shown as "checking" at most (its pass normally ends in seconds). */
export const REQUESTED_FOR_MS = 120_000;

/** The trouble that stops the sync right now, most fundamental first, or null. */
function trouble(facts: StatusFacts, now: number): { code: IpcErrorCode; message: string; offline: boolean } | null {
  if (facts.storage) return { code: 'INTERNAL', message: `Syncing is paused: ${facts.storage}. It resumes once there is room again.`, offline: false };
  if (facts.redis) return { code: 'UNAVAILABLE', message: `The local sync queue is in trouble (${facts.redis}). Your mirror stays browsable; syncing resumes by itself.`, offline: false };
  if (facts.offline) return { code: 'OFFLINE', message: OFFLINE_MESSAGE, offline: true };
  if (facts.gmailFailingSince != null && now - facts.gmailFailingSince >= FAILING_AFTER_MS) return { code: 'OFFLINE', message: FAILING_MESSAGE, offline: false };
  return null;
}

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
      ...quotaOf(s, facts.quotaProfile),
    };
  }
  const now = facts.now ?? Date.now();
  let stored = storedPhase(s);
  // Asked for and not done yet (the incremental pass has not ended since): say so, the store shows nothing yet.
  const lastPass = account.lastIncrementalSyncAt?.getTime() ?? 0;
  if (stored === 'idle' && facts.requestedAt != null && lastPass < facts.requestedAt && now - facts.requestedAt < REQUESTED_FOR_MS) {
    stored = 'incremental';
  }
  const processed = s.counts.fetched;
  // While listing, at least getProfile's total is known.
  const total = stored === 'listing' ? Math.max(s.counts.total, account.messagesTotal ?? 0) : s.counts.total;
  const exact = stored === 'idle' || (stored === 'incremental' && total <= processed) ? 100 : total === 0 ? 0 : Math.min(99.9, (100 * processed) / total);
  const busy = stored === 'listing' || stored === 'fetching';
  const rate = busy && facts.ratePerSecond && facts.ratePerSecond > 0 ? facts.ratePerSecond : null;
  const live = stored === 'needs_reconnect' ? null : trouble(facts, now);
  const storedError = stored === 'needs_reconnect' || stored === 'error' ? (account.lastError ?? s.run?.error ?? null) : null;
  const errorCode: IpcErrorCode = stored === 'needs_reconnect' ? 'AUTH_EXPIRED' : 'INTERNAL';
  return {
    accountId: account.id,
    phase: live ? 'error' : stored,
    processed,
    total: total || null,
    percent: Math.round(exact * 10) / 10,
    ratePerSecond: rate,
    etaSeconds: rate !== null && total ? Math.max(0, (total - processed) / rate) : null,
    error: live ? { code: live.code, message: live.message } : storedError ? { code: errorCode, message: storedError } : null,
    offline: live?.offline ?? false,
    initialSyncCompleted: account.initialSyncCompleted,
    lastSyncAt: last,
    labels: s.labels.map((l) => ({ labelId: l.labelId, name: l.name, processed: l.fetched, total: Math.max(l.total ?? 0, l.fetched) })),
    ...quotaOf(s, facts.quotaProfile),
  };
}

/** An account's status as the CLI shows it: the projection, with the account's own facts beside it. */
export type AccountStatus = {
  email: string;
  /** What the store alone says (no live facts): a failed sync is `error` here, Gmail out of reach is not. */
  stored: SyncPhase;
  /** Why the store says the sync failed or stopped (its `error`/`needs_reconnect`), or null. */
  storedError: string | null;
  historyId: string | null;
  lastFullSyncAt: Date | null;
  lastIncrementalSyncAt: Date | null;
  status: SyncStatus;
};

export function accountStatus(s: StatusSnapshot, facts: StatusFacts = {}): AccountStatus {
  const { account } = s;
  return {
    email: account.email,
    stored: storedPhase(s),
    storedError: account.lastError ?? s.run?.error ?? null,
    historyId: account.historyId,
    lastFullSyncAt: account.lastFullSyncAt,
    lastIncrementalSyncAt: account.lastIncrementalSyncAt,
    status: projectSyncStatus(s, facts),
  };
}
