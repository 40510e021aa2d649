// Where the mirror stands: a real progress bar while syncing (phase, processed/total, rate, time
// left), the error with a Retry button when a sync failed, "Up to date" with the last sync time. A damaged
// mailbox database (DB_DAMAGED) cannot be retried: its way out is the "Rebuild from Gmail" button.
import { useEffect, useRef, useState } from 'react';
import type { AccountSummary, SyncStatus } from '../../shared/ipc';
import { call } from '../api';
import { errorShape, plainError, type ErrorShape } from '../lib/error-words';
import { formatCount, formatDuration, formatRate, formatRelative } from '../lib/format';
import { useNow } from '../hooks';
import { ErrorNotice } from './ErrorNotice';
import { Icon } from './Icon';
import { ProgressBar } from './ProgressBar';

const PHASE_TEXT: Record<SyncStatus['phase'], string> = {
  idle: 'Up to date',
  queued: 'Waiting to sync…',
  listing: 'Finding messages…',
  fetching: 'Mirroring messages',
  incremental: 'Checking for new mail…',
  error: 'Sync failed',
  needs_reconnect: 'Gmail access expired',
};

/** The panel's headline: the phase in words, or what is wrong. */
function titleOf(s: SyncStatus): string {
  if (s.error?.code === 'DB_DAMAGED') return 'Mailbox database damaged';
  if (s.phase === 'error' && s.offline) return 'Offline — will retry';
  // Trouble of the moment that fixes itself (Gmail answering with errors, the local queue restarting).
  if (s.phase === 'error' && s.error?.code === 'UNAVAILABLE') return 'Sync queue restarting — will retry';
  if (s.phase === 'error' && s.error?.code === 'OFFLINE') return 'Gmail is having trouble — will retry';
  if (s.phase === 'idle' && !s.initialSyncCompleted) return 'Sync paused';
  return PHASE_TEXT[s.phase];
}

/** The sentence announced when it changes: the headline, and for a failure its plain words and next step. */
function headlineOf(s: SyncStatus): string {
  const title = titleOf(s);
  const failing = s.error && (s.phase === 'error' || s.phase === 'needs_reconnect' || s.offline);
  if (!failing) return `Sync: ${title}.`;
  const p = plainError(s.error, 'sync');
  return `Sync: ${title}. ${p.text} ${p.next}`.trim();
}

/**
 * Rebuilds a damaged mailbox database from Gmail (store:rebuild). The core then announces the new store
 * (accounts:changed, sync:progress), so the panels follow by themselves; `onDone` is for anything else.
 */
export function RebuildButton(props: { onDone?: () => void }) {
  const [state, setState] = useState<{ busy: boolean; error: ErrorShape | null }>({ busy: false, error: null });
  const start = () => {
    setState({ busy: true, error: null });
    call('store:rebuild', {}).then(
      () => {
        setState({ busy: false, error: null });
        props.onDone?.();
      },
      (e: unknown) => setState({ busy: false, error: errorShape(e) }),
    );
  };
  return (
    <>
      <button className="btn small primary" data-testid="store-rebuild" disabled={state.busy} onClick={start}>
        <Icon name="refresh" size={14} />
        {state.busy ? 'Rebuilding…' : 'Rebuild from Gmail'}
      </button>
      {state.error && (
        <ErrorNotice error={state.error} className="sync-error" role="alert" testId="store-rebuild-error" />
      )}
    </>
  );
}


/**
 * What a screen reader hears: the panel's headline when it changes (a phase, going offline, an error with its
 * plain words) — never the progress ticks. The region stays mounted so the change is announced; the status a
 * window opens on is not read out (it is on screen for whoever looks).
 */
function useAnnouncement(headline: string | null): string {
  const last = useRef<string | null>(null);
  const [text, setText] = useState('');
  useEffect(() => {
    if (headline === null) return;
    if (last.current !== null && last.current !== headline) setText(headline);
    last.current = headline;
  }, [headline]);
  return text;
}

function SyncAnnouncer(props: { text: string }) {
  return (
    <div className="visually-hidden" role="status" aria-live="polite" aria-atomic="true" data-testid="sync-announcer">
      {props.text}
    </div>
  );
}

export function SyncPanel(props: {
  status: SyncStatus | null;
  account: AccountSummary;
  onRetry: () => void;
  onSyncNow: () => void;
  onReconnect: () => void;
  /** The window has lost its link to Mailmirror: the last status it heard may no longer be true. */
  disconnected?: boolean;
}) {
  const now = useNow(15_000);
  const s = props.status;
  const announcement = useAnnouncement(s ? headlineOf(s) : null);
  if (!s) {
    return (
      <section className="sync-panel" data-testid="sync-panel" aria-label="Sync status">
        <SyncAnnouncer text={announcement} />
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
  const tone = props.disconnected || offlineError || passing ? 'warn' : s.phase === 'error' || s.phase === 'needs_reconnect' ? 'danger' : upToDate ? 'ok' : 'busy';
  const lastSync = s.lastSyncAt ?? props.account.lastSyncAt;
  const damaged = s.error?.code === 'DB_DAMAGED';
  // A mirror already complete that cannot sync now: the error is the news, not a percentage of the next pass
  // (a red bar at "99%" reads as a broken mirror when every message is there). Nor while the window has no link to
  // Mailmirror: a full amber bar under "Reconnecting" reads as progress of the reconnection.
  const showProgress = !(s.initialSyncCompleted && (s.phase === 'error' || s.phase === 'needs_reconnect' || props.disconnected));

  const detail: string[] = [];
  if (s.total !== null && (busy || !s.initialSyncCompleted)) detail.push(`${formatCount(s.processed)} of ${formatCount(s.total)}`);
  else if (s.total === null && s.phase === 'listing') detail.push(`${formatCount(s.processed)} so far`);
  if (busy && s.ratePerSecond !== null && s.ratePerSecond > 0) detail.push(formatRate(s.ratePerSecond));
  if (busy && s.etaSeconds !== null && s.etaSeconds > 0) detail.push(`${formatDuration(s.etaSeconds)} left`);

  return (
    <section className={`sync-panel ${tone}`} data-testid="sync-panel" data-phase={s.phase} aria-label="Sync status">
      <SyncAnnouncer text={announcement} />
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
          {props.disconnected ? 'Reconnecting to Mailmirror…' : titleOf(s)}
        </span>
        {showProgress && (
          <span className="sync-pct" data-testid="sync-percent">
            {pct}%
          </span>
        )}
      </div>
      {showProgress && (
        <ProgressBar
          label="Mirror progress"
          percent={pct}
          valueText={s.total !== null ? `${formatCount(s.processed)} of ${formatCount(s.total)} messages` : `${pct}%`}
          animated={busy}
          testId="sync-progress"
        />
      )}
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
        <ErrorNotice error={s.error} context="sync" className="sync-error" testId="sync-error" />
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
          <button className="icon-btn small" aria-label="Sync now" title="Sync now" data-testid="sync-now" disabled={busy || props.disconnected} onClick={props.onSyncNow}>
            <Icon name="refresh" size={15} />
          </button>
        )}
      </div>
    </section>
  );
}
