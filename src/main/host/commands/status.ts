// `mailmirror status [--json]`: every account's sync state, read from the store alone (the store-only
// core), so it works while another process syncs and without Redis. The numbers are the projection the
// app's windows show (src/main/sync/status.ts).
import { StoreCore } from '../../store-core';
import type { AccountStatus } from '../../store-core';
import { cliPhase, type CliPhase } from '../cli-phase';
import { parseCommandArgs } from '../args';
import type { CliContext } from '../cli-context';
import { formatTable, formatTime, isoOrNull, writeJson, writeLine } from '../output';

export type StatusEntry = {
  email: string;
  phase: CliPhase;
  /** Messages whose details are mirrored. */
  processed: number;
  /** Message rows known (stubs included). */
  total: number;
  percent: number;
  historyId: string | null;
  lastFullSyncAt: string | null;
  lastIncrementalSyncAt: string | null;
  error: string | null;
  /** Gmail's quota table the account is paced to, and how it was chosen (sync/status.ts). */
  quotaProfile?: string;
  quotaProfileSource?: string;
};

const QUOTA_SOURCE_WORDS: Record<string, string> = {
  set: 'set by MAILMIRROR_QUOTA_PROFILE',
  detected: 'detected for this account',
  assumed: 'assumed until detected during a sync',
};

export async function statusCommand(ctx: CliContext, args: string[]): Promise<number> {
  const { values } = parseCommandArgs('status', args, { json: { type: 'boolean' } });
  const store = StoreCore.open(ctx.config);
  let entries: StatusEntry[];
  try {
    entries = store.statuses().map(statusEntry);
  } finally {
    store.close();
  }
  if (values.json) {
    writeJson(ctx.stdout, entries);
    return 0;
  }
  if (entries.length === 0) {
    writeLine(ctx.stdout, 'No accounts yet: connect one with `mailmirror account add`.');
    return 0;
  }
  const table = formatTable(
    ['EMAIL', 'PHASE', 'PROCESSED', 'HISTORY ID', 'LAST FULL SYNC', 'LAST INCREMENTAL', 'ERROR'],
    entries.map((e) => [
      e.email,
      e.phase.replace('_', ' '),
      `${e.processed}/${e.total} (${e.percent}%)`,
      e.historyId ?? '-',
      formatTime(e.lastFullSyncAt === null ? null : Date.parse(e.lastFullSyncAt)),
      formatTime(e.lastIncrementalSyncAt === null ? null : Date.parse(e.lastIncrementalSyncAt)),
      e.error ?? '',
    ]),
  );
  for (const line of table) writeLine(ctx.stdout, line);
  // Extra lines after the table (its lines stay as they were: scripts read them).
  for (const e of entries) {
    if (e.quotaProfile) {
      const how = QUOTA_SOURCE_WORDS[e.quotaProfileSource ?? ''];
      writeLine(ctx.stdout, `Quota profile of ${e.email}: ${e.quotaProfile}${how ? ` (${how})` : ''}`);
    }
  }
  return 0;
}

/** One account as `status --json` prints it. */
export function statusEntry(a: AccountStatus): StatusEntry {
  const s = a.status;
  return {
    email: a.email,
    phase: cliPhase(a),
    processed: s.processed,
    total: s.total ?? 0,
    percent: s.percent,
    historyId: a.historyId,
    lastFullSyncAt: isoOrNull(a.lastFullSyncAt),
    lastIncrementalSyncAt: isoOrNull(a.lastIncrementalSyncAt),
    error: s.error?.message ?? null,
    ...(s.quotaProfile ? { quotaProfile: s.quotaProfile, quotaProfileSource: s.quotaProfileSource } : {}),
  };
}
