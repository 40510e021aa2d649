// Where the mirror stands: a real progress bar while syncing (phase, processed/total, rate, time
// left), the error with a Retry button when a sync failed, "Up to date" with the last sync time. A damaged
// mailbox database (DB_DAMAGED) cannot be retried: its way out is the "Rebuild from Gmail" button.
import { useState } from 'react';
import type { AccountSummary, SyncStatus } from '../../shared/ipc';
import { call, errorMessage } from '../api';
import { formatCount, formatDuration, formatRate, formatRelative } from '../lib/format';
import { useNow } from '../hooks';
import { Icon } from './Icon';

const PHASE_TEXT: Record<SyncStatus['phase'], string> = {
  idle: 'Up to date',
  queued: 'Waiting to sync…',
  listing: 'Finding messages…',
  fetching: 'Mirroring messages',
  incremental: 'Checking for new mail…',
  error: 'Sync failed',
  needs_reconnect: 'Gmail access expired',
};

/**
 * Rebuilds a damaged mailbox database from Gmail (store:rebuild). The core then announces the new store
 * (accounts:changed, sync:progress), so the panels follow by themselves; `onDone` is for anything else.
 */
export function RebuildButton(props: { onDone?: () => void }) {
  const [state, setState] = useState<{ busy: boolean; error: string | null }>({ busy: false, error: null });
  const start = () => {
    setState({ busy: true, error: null });
    call('store:rebuild', {}).then(
      () => {
        setState({ busy: false, error: null });
        props.onDone?.();
      },
      (e: unknown) => setState({ busy: false, error: errorMessage(e) }),
    );
  };
  return (
    <>
      <button className="btn small primary" data-testid="store-rebuild" disabled={state.busy} onClick={start}>
        <Icon name="refresh" size={14} />
        {state.busy ? 'Rebuilding…' : 'Rebuild from Gmail'}
      </button>
      {state.error && (
        <span className="sync-error" role="alert" data-testid="store-rebuild-error">
          {state.error}
        </span>
      )}
    </>
  );
}


export function SyncPanel(props: {
  status: SyncStatus | null;
  account: AccountSummary;
  onRetry: () => void;
  onSyncNow: () => void;
  onReconnect: () => void;
}) {
  const now = useNow(15_000);
  const s = props.status;
  if (!s) {
    return (
      <section className="sync-panel" data-testid="sync-panel" aria-label="Sync status">
        <div className="sync-line muted">Loading sync status…</div>
      </section>
    );
  }
  const pct = Math.floor(s.percent);
  const busy = s.phase === 'queued' || s.phase === 'listing' || s.phase === 'fetching' || s.phase === 'incremental';
  const upToDate = s.phase === 'idle' && s.initialSyncCompleted;
  // A sync that failed for lack of network is waiting, not broken: amber, and it says so.
  const offlineError = s.phase === 'error' && s.offline;
  // Trouble of the moment that fixes itself (Gmail unreachable or answering with errors, the local queue restarting):
  // amber and "will retry", not a failed sync.
  const passing = s.phase === 'error' && !offlineError && (s.error?.code === 'OFFLINE' || s.error?.code === 'UNAVAILABLE');
  const tone = offlineError || passing ? 'warn' : s.phase === 'error' || s.phase === 'needs_reconnect' ? 'danger' : upToDate ? 'ok' : 'busy';
  const lastSync = s.lastSyncAt ?? props.account.lastSyncAt;
  const damaged = s.error?.code === 'DB_DAMAGED';

  const detail: string[] = [];
  if (s.total !== null && (busy || !s.initialSyncCompleted)) detail.push(`${formatCount(s.processed)} of ${formatCount(s.total)}`);
  else if (s.total === null && s.phase === 'listing') detail.push(`${formatCount(s.processed)} so far`);
  if (busy && s.ratePerSecond !== null && s.ratePerSecond > 0) detail.push(formatRate(s.ratePerSecond));
  if (busy && s.etaSeconds !== null && s.etaSeconds > 0) detail.push(`${formatDuration(s.etaSeconds)} left`);

  return (
    <section className={`sync-panel ${tone}`} data-testid="sync-panel" data-phase={s.phase} aria-label="Sync status">
      <div className="sync-head">
        <span className="sync-icon">
          {tone === 'ok' ? (
            <Icon name="checkCircle" size={17} />
          ) : tone === 'warn' ? (
            <Icon name="offline" size={17} />
          ) : tone === 'danger' ? (
            <Icon name="alert" size={17} />
          ) : (
            <span className="spinner small" />
          )}
        </span>
        <span className="sync-title" data-testid="sync-phase">
          {damaged ? 'Mailbox database damaged' : offlineError ? 'Offline — will retry' : passing ? (s.error?.code === 'UNAVAILABLE' ? 'Sync queue restarting — will retry' : 'Gmail is having trouble — will retry') : s.phase === 'idle' && !s.initialSyncCompleted ? 'Sync paused' : PHASE_TEXT[s.phase]}
        </span>
        <span className="sync-pct" data-testid="sync-percent">
          {pct}%
        </span>
      </div>
      <div
        className="progress"
        role="progressbar"
        aria-label="Mirror progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
        aria-valuetext={s.total !== null ? `${formatCount(s.processed)} of ${formatCount(s.total)} messages` : `${pct}%`}
        data-testid="sync-progress"
      >
        <div className={`progress-fill ${busy ? 'animated' : ''}`} style={{ width: `${pct}%` }} />
      </div>
      {detail.length > 0 && (
        <div className="sync-line" data-testid="sync-detail">
          {detail.join(' · ')}
        </div>
      )}
      {busy && s.labels.length > 0 && (
        <ul className="sync-labels">
          {s.labels.slice(0, 3).map((l) => (
            <li key={l.labelId}>
              <span>{l.name}</span>
              <span>
                {formatCount(l.processed)} / {formatCount(l.total)}
              </span>
            </li>
          ))}
        </ul>
      )}
      {s.error && (s.phase === 'error' || s.phase === 'needs_reconnect' || s.offline) && (
        <div className="sync-error" data-testid="sync-error">
          {s.error.message}
        </div>
      )}
      <div className="sync-foot">
        {damaged ? (
          <RebuildButton />
        ) : s.phase === 'needs_reconnect' ? (
          <button className="btn small primary" onClick={props.onReconnect}>
            Reconnect
          </button>
        ) : s.phase === 'error' ? (
          <button className="btn small" data-testid="sync-retry" onClick={props.onRetry}>
            <Icon name="refresh" size={14} />
            Retry
          </button>
        ) : (
          <span className="sync-line muted" data-testid="sync-last">
            {busy && !s.initialSyncCompleted
              ? 'First sync in progress'
              : lastSync
                ? `Synced ${formatRelative(lastSync, now)}`
                : 'Not synced yet'}
          </span>
        )}
        {s.phase !== 'needs_reconnect' && s.phase !== 'error' && (
          <button className="icon-btn small" aria-label="Sync now" title="Sync now" data-testid="sync-now" disabled={busy} onClick={props.onSyncNow}>
            <Icon name="refresh" size={15} />
          </button>
        )}
      </div>
    </section>
  );
}
