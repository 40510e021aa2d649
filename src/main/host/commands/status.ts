// `mailmirror status [--json]`: every account's sync state, read from the store alone, so it works
// while another process syncs and without Redis.
import { listAccounts } from '../../db/accounts';
import { accountSyncStatus, type SyncPhase } from '../../sync/status';
import { parseCommandArgs } from '../args';
import { openLocalStore, type CliContext } from '../cli-context';
import { formatTable, formatTime, isoOrNull, writeJson, writeLine } from '../output';

export type StatusEntry = {
  email: string;
  phase: SyncPhase;
  /** Messages whose details are mirrored. */
  processed: number;
  /** Message rows known (stubs included). */
  total: number;
  percent: number;
  historyId: string | null;
  lastFullSyncAt: string | null;
  lastIncrementalSyncAt: string | null;
  error: string | null;
};

export async function statusCommand(ctx: CliContext, args: string[]): Promise<number> {
  const { values } = parseCommandArgs('status', args, { json: { type: 'boolean' } });
  const store = openLocalStore(ctx.config);
  let entries: StatusEntry[];
  try {
    entries = listAccounts(store.db).map((a) => {
      const s = accountSyncStatus(store.db, a);
      return {
        email: s.email,
        phase: s.phase,
        processed: s.processed,
        total: s.total,
        percent: s.percent,
        historyId: s.historyId,
        lastFullSyncAt: isoOrNull(s.lastFullSyncAt),
        lastIncrementalSyncAt: isoOrNull(s.lastIncrementalSyncAt),
        error: s.error,
      };
    });
  } catch (e) {
    // A damaged page met while counting (the check at open is bounded): the damage, not a raw SQLite error.
    throw store.db.noteError(e);
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
  return 0;
}
