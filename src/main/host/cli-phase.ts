// The CLI's words for a sync phase: the contract's SyncStatus (sync/status.ts's projection) as
// `mailmirror status --json` and `sync --wait` print it. A CLI contract: other tools read these words.
import type { SyncStatus } from '../../shared/ipc';

export type CliPhase = 'needs_reconnect' | 'not_synced' | 'listing' | 'fetching' | 'synced' | 'failed' | 'offline';

export function cliPhase(s: SyncStatus): CliPhase {
  if (s.offline && s.phase === 'error') return 'offline';
  switch (s.phase) {
    case 'idle':
      return 'synced';
    case 'queued':
      return 'not_synced';
    case 'error':
      return 'failed';
    default:
      return s.phase;
  }
}

