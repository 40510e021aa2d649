// Phase 2: details of stubs. Each job re-reads the store (a stub fetched meanwhile costs nothing),
// fetches through the quota governor (bounded in flight per account), parses, and writes the whole
// batch in one transaction. A 404 means the message was deleted meanwhile: the stub is dropped.
//
// messages.get asks for format=raw: the original, which Gmail charges like any other format, brings everything
// format=full does plus the attachments and the source itself, stored with the details (db/sources.ts) so the
// message opens, shows its pictures, exports and shows its original offline. threads.get has no raw format: a
// thread fetched that way (MAILMIRROR_FETCH_STRATEGY=threads) still needs each message's original, so for a mirror
// that keeps originals the cheapest plan is one messages.get per message whatever the thread's length.
// Fetching itself (batches, retries of failed parts) is fetch-details.ts.
import type { Job } from 'bullmq';
import { getAccount } from '../db/accounts';
import { getActiveRun } from '../db/sync-runs';
import { saveMessageDetails, deleteMessagesByGmailId, type ParsedMessage } from '../db/message-details';
import { filterPending, hasPendingStubs, messageExists, pendingOfThread, threadHasFetched } from '../db/stubs';
import { writeInGroup } from '../db/write-group';
import { labelsWithCountsOlderThan } from '../db/labels';
import { PRIORITY } from '../queues/definitions';
import type { SyncDeps } from './sync-deps';
import { maybeFinalize } from './finalize';
import { fetchStrategy } from './dispatch';
import { fetchDetails, type Work } from './fetch-details';
import { attachmentCapBytes, loadSettings } from '../settings';


/**
 * What jobs of this process are fetching right now, per account: a thread or message listed on two pages can be in
 * two jobs running at once, and each would pay for it. The store only knows once the first job commits.
 */
const inFlight = new Map<number, { ids: Set<string>; threads: Set<string> }>();

export async function messageBatchProcessor(
  data: { accountId: number; gmailIds: string[]; threadIds: string[] },
  deps: SyncDeps,
  job?: Pick<Job, 'opts'>,
): Promise<{ fetched: number; dropped: number }> {
  const { db } = deps;
  const accountId = data.accountId;
  const acct = getAccount(db, accountId);
  if (!acct || acct.status === 'needs_reconnect') return { fetched: 0, dropped: 0 };
  const run = getActiveRun(db, accountId, ['initial', 'full']);
  const listingOpen = !!run && !run.listingDone;
  const strategy = fetchStrategy();
  const quota = deps.gmail.quota(accountId);
  const costs = quota.costs;
  // Every strategy but `threads` fetches messages as originals (format=raw), kept up to the user's cap.
  const originals = strategy !== 'threads';
  const capBytes = attachmentCapBytes(loadSettings(deps.config));
  let claims = inFlight.get(accountId);
  if (!claims) inFlight.set(accountId, (claims = { ids: new Set(), threads: new Set() }));
  const mine = { ids: [] as string[], threads: [] as string[] };
  const claim = (id: string): void => {
    claims.ids.add(id);
    mine.ids.push(id);
  };

  // Decide per thread, from what the store knows now (initial-sync.ts dispatches a thread once its size is known):
  // - part of the thread is mirrored already or being fetched by another job (the newest INBOX mail goes first, a
  //   restart, new replies): the pending messages one by one, so no message is fetched twice;
  // - else threads.get (two messages.get in units, every message of the thread) from two pending messages on;
  // - a lone pending reply whose thread's first message is not even listed yet (only after a restart mid-listing)
  //   belongs to a longer thread: the whole thread; any other lone message by itself.
  const work: Work[] = [];
  for (const threadId of data.threadIds) {
    // Another job of this process is fetching the whole thread: it brings these messages too.
    if (claims.threads.has(threadId)) continue;
    const listed = pendingOfThread(db, accountId, threadId).map((p) => p.gmailId);
    const pending = listed.filter((id) => !claims.ids.has(id));
    if (pending.length === 0) continue;
    // Mirrored already, or being fetched by another job right now: either way not to be fetched again.
    const partial = pending.length < listed.length || threadHasFetched(db, accountId, threadId);
    let whole = strategy === 'threads';
    if (strategy === 'auto' && !partial) {
      // A thread by threads.get costs that call and, when originals are kept, each message's original after it.
      const threadPlan = costs['threads.get'] + (originals ? pending.length * costs['messages.get'] : 0);
      whole =
        threadPlan <= pending.length * costs['messages.get'] ||
        (!originals && listingOpen && pending[0] !== threadId && !messageExists(db, accountId, threadId));
    }
    if (whole) {
      claims.threads.add(threadId);
      mine.threads.push(threadId);
      pending.forEach(claim);
      work.push({ kind: 'thread', id: threadId, pending });
    } else {
      for (const id of pending) {
        claim(id);
        work.push({ kind: 'message', id });
      }
    }
  }
  for (const id of filterPending(db, accountId, data.gmailIds)) {
    if (!claims.ids.has(id)) {
      claim(id);
      work.push({ kind: 'message', id });
    }
  }
  if (work.length === 0) return { fetched: 0, dropped: 0 };

  let parsed: ParsedMessage[] = [];
  let dropped: string[] = [];
  try {
    // Lower first: the job's BullMQ priority (incremental, INBOX, the rest), then the order jobs started in.
    ({ parsed, dropped } = await fetchDetails(deps, accountId, work, {
      originals,
      capBytes,
      includeSpamTrash: acct.includeSpamTrash,
      priority: job?.opts?.priority ?? PRIORITY.batch,
    }));

    // While an initial/full sync is running, messages a thread brings that the listing has not reached
    // yet are stored at once (the listing will find them fetched); otherwise only known rows are updated,
    // so a message deleted by a newer incremental pass is never brought back.
    // The write shares its transaction with other jobs finishing now (write-group.ts); the job ends once committed.
    await writeInGroup(db, () => {
      saveMessageDetails(db, accountId, parsed, { insertMissing: !!run });
      if (dropped.length) deleteMessagesByGmailId(db, accountId, dropped);
    });
  } finally {
    for (const id of mine.ids) claims.ids.delete(id);
    for (const t of mine.threads) claims.threads.delete(t);
  }
  // Outside an initial or full sync (whose end reads every label's counts), the messages an incremental pass added
  // bring labels whose Gmail counts moved (history.ts, TouchedLabels). Counts read since the last pass applied its
  // history already hold every change it knew of (they are Gmail's counts of then), so only the others are read.
  if (!run && parsed.length) {
    const since = getAccount(db, accountId)?.lastIncrementalSyncAt?.getTime() ?? Date.now();
    const labelIds = labelsWithCountsOlderThan(db, accountId, parsed.flatMap((m) => m.labelIds), since);
    if (labelIds.length) await deps.queues.add('labelUpdate', { accountId, labelIds }, { priority: PRIORITY.labels });
  }
  deps.events.emit('sync:progress', { accountId });
  deps.events.emit('messages:changed', { accountId });
  // The labels' local counts ("N mirrored so far") moved with these messages.
  deps.events.emit('labels:changed', { accountId });
  // maybeFinalize reads the run and counts every pending stub: only worth it once none is left.
  if (!hasPendingStubs(db, accountId)) await maybeFinalize(deps, accountId);
  return { fetched: parsed.length, dropped: dropped.length };
}
