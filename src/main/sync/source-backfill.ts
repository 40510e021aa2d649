// Originals for messages the mirror holds without them (copied before full copies, or attachments left out by a
// cap the user has since raised): fetched in the background, a slice at a time, behind everything else (the lowest
// sync priority, and the governor serves its requests last). Resumes after a crash by itself: what is missing is
// read from the store each time, and the next slice is queued only once this one is written.
import { getAccount, type Account } from '../db/accounts';
import { getActiveRun } from '../db/sync-runs';
import { saveMessageDetails } from '../db/message-details';
import { messagesMissingSource } from '../db/sources';
import { writeInGroup } from '../db/write-group';
import { PRIORITY } from '../queues/definitions';
import { attachmentCapBytes, loadSettings } from '../settings';
import { fetchDetails } from './fetch-details';
import type { SyncDeps } from './sync-deps';

/** Messages per slice: one or two batch calls, a few seconds of quota even on Gmail's 2026 table. */
export const BACKFILL_SLICE = 50;

/** Queues the account's backfill from the start, unless one is queued or running (BullMQ deduplication). */
export async function queueSourceBackfill(deps: Pick<SyncDeps, 'queues'>, accountId: number): Promise<void> {
  await deps.queues.addOnce('sourceBackfill', { accountId, afterId: 0 }, PRIORITY.backfill);
}

export async function sourceBackfillProcessor(
  data: { accountId: number; afterId: number },
  deps: SyncDeps,
): Promise<{ copied: number; gone: number }> {
  const { db } = deps;
  const acct = getAccount(db, data.accountId);
  // A first or full sync fetches originals itself; it queues the backfill again when it ends (finalize.ts).
  if (!acct || acct.status === 'needs_reconnect' || getActiveRun(db, data.accountId, ['initial', 'full'])) return { copied: 0, gone: 0 };
  const capBytes = attachmentCapBytes(loadSettings(deps.config));
  const rows = messagesMissingSource(db, data.accountId, data.afterId, BACKFILL_SLICE, capBytes);
  if (rows.length === 0) return { copied: 0, gone: 0 };
  const done = await copyOriginals(deps, acct, rows, capBytes, PRIORITY.backfill);
  deps.events.emit('messages:changed', { accountId: data.accountId });
  await deps.queues.add('sourceBackfill', { accountId: data.accountId, afterId: rows[rows.length - 1].id }, { priority: PRIORITY.backfill });
  return done;
}

/**
 * Fetches the originals of these stored messages (kept up to `capBytes`) and writes them with their details. Only
 * rows still stored are written; one Gmail no longer has is left to the next incremental pass to remove.
 */
export async function copyOriginals(
  deps: SyncDeps,
  acct: Pick<Account, 'id' | 'includeSpamTrash'>,
  rows: ReadonlyArray<{ gmailId: string }>,
  capBytes: number | null,
  priority: number,
): Promise<{ copied: number; gone: number }> {
  const { parsed, dropped } = await fetchDetails(
    deps,
    acct.id,
    rows.map((r) => ({ kind: 'message', id: r.gmailId })),
    { originals: true, capBytes, includeSpamTrash: acct.includeSpamTrash, priority },
  );
  await writeInGroup(deps.db, () => saveMessageDetails(deps.db, acct.id, parsed, { insertMissing: false }));
  return { copied: parsed.length, gone: dropped.length };
}
