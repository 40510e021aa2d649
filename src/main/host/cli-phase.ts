// The CLI's words for a sync phase: an account's status (sync/status.ts's projection) as
// `mailmirror status --json` and `sync --wait` print it. A CLI contract: other tools read these words
// (`status` reads the store alone, so it only ever prints the first six).
import type { AccountStatus } from '../app-core';

export type CliPhase = 'needs_reconnect' | 'not_synced' | 'listing' | 'fetching' | 'synced' | 'failed' | 'checking' | 'offline' | 'retrying';

export function cliPhase(a: AccountStatus): CliPhase {
  const s = a.status;
  if (s.phase === 'error') {
    if (s.offline) return 'offline';
    // Trouble of the moment (Gmail answering with errors, Redis, the disk): retried, not a failed sync.
    return a.stored === 'error' ? 'failed' : 'retrying';
  }
  switch (s.phase) {
    case 'idle':
      return 'synced';
    case 'queued':
      return 'not_synced';
    case 'incremental':
      return 'checking';
    default:
      return s.phase;
  }
}
