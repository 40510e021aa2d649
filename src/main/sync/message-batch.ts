// Phase 2: details of stubs. Each job re-reads the store (a stub fetched meanwhile costs nothing),
// fetches through the quota governor (bounded in flight per account), parses, and writes the whole
// batch in one transaction. A 404 means the message was deleted meanwhile: the stub is dropped.
//
// Calls of the same method go to Gmail's batch endpoint (https://developers.google.com/workspace/gmail/api/guides/batch),
// never more units at once than the governor's burst, so grouping never lowers the pace: one googleapis request
// measured ~0.9 ms of CPU here against ~0.15 ms per part of a batch, and the server side spends less too. Each part
// is charged as its own call (Gmail does the same); a part that fails for another reason than a 404 is handed to the
// governor with its answer, which decides, as for any request, whether and when it is sent again on its own.
import type { Job } from 'bullmq';
import type { gmail_v1 } from 'googleapis';
import { getAccount } from '../db/accounts';
import { getActiveRun } from '../db/sync-runs';
import { saveMessageDetails, deleteMessagesByGmailId, type ParsedMessage } from '../db/message-details';
import { filterPending, hasPendingStubs, messageExists, pendingOfThread, threadHasFetched } from '../db/stubs';
import { writeInGroup } from '../db/write-group';
import { labelsWithCountsOlderThan } from '../db/labels';
import { PRIORITY } from '../queues/definitions';
import { parseGmailMessage } from './parse-message';
import { GmailNotFoundError, type GmailError } from '../gmail/errors';
import { batchGet, batchPartError, RECOMMENDED_BATCH_PARTS } from '../gmail/batch';
import { callPriority } from '../gmail/quota-governor';
import type { SyncDeps } from './sync-deps';
import { maybeFinalize } from './finalize';
import { chunk, mapLimit } from './map-limit';
import { fetchStrategy } from './dispatch';

type Work = { kind: 'message'; id: string } | { kind: 'thread'; id: string; pending: string[] };

/**
 * What jobs of this process are fetching right now, per account: a thread or message listed on two pages can be in
 * two jobs running at once, and each would pay for it. The store only knows once the first job commits.
 */
const inFlight = new Map<number, { ids: Set<string>; threads: Set<string> }>();

/** Order in which jobs started in this process: the governor serves an older job's requests first. */
let jobSeq = 0;

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
      whole =
        costs['threads.get'] <= pending.length * costs['messages.get'] ||
        (listingOpen && pending[0] !== threadId && !messageExists(db, accountId, threadId));
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

  const parsed: ParsedMessage[] = [];
  const dropped: string[] = [];
  const accept = (w: Work, body: gmail_v1.Schema$Message | gmail_v1.Schema$Thread): void => {
    if (w.kind === 'message') {
      parsed.push(parseGmailMessage(body as gmail_v1.Schema$Message));
      return;
    }
    const msgs: gmail_v1.Schema$Message[] = (body as gmail_v1.Schema$Thread).messages ?? [];
    const got = new Set<string>();
    for (const m of msgs) {
      if (!m.id) continue;
      if (!acct.includeSpamTrash && m.labelIds?.some((l) => l === 'SPAM' || l === 'TRASH')) continue;
      got.add(m.id);
      parsed.push(parseGmailMessage(m));
    }
    // A listed message the thread no longer has was deleted meanwhile (history replays any re-add).
    for (const id of w.pending) if (!got.has(id)) dropped.push(id);
  };
  const drop = (w: Work): void => {
    if (w.kind === 'message') dropped.push(w.id);
    else dropped.push(...w.pending);
  };
  // `answeredInBatch`: the part's answer in a batch, its first attempt (the governor's retry policy weighs it).
  const one = async (w: Work, answeredInBatch?: GmailError): Promise<void> => {
    const opts = { answeredInBatch };
    try {
      if (w.kind === 'message') {
        const r = await deps.gmail.call(accountId, 'messages.get', (g) => g.users.messages.get({ userId: 'me', id: w.id, format: 'full' }), undefined, opts);
        accept(w, r.data);
      } else {
        const r = await deps.gmail.call(accountId, 'threads.get', (g) => g.users.threads.get({ userId: 'me', id: w.id, format: 'full' }), undefined, opts);
        accept(w, r.data);
      }
    } catch (e) {
      if (e instanceof GmailNotFoundError) return drop(w);
      throw e;
    }
  };
  const batch = async (method: 'messages.get' | 'threads.get', ws: Work[]): Promise<void> => {
    if (ws.length === 1) return one(ws[0]);
    const kind = method === 'messages.get' ? 'messages' : 'threads';
    const parts = await deps.gmail.call(
      accountId,
      method,
      () =>
        batchGet({
          rootUrl: deps.config.gmailApiUrl,
          auth: deps.gmail.client(accountId).auth,
          requests: ws.map((w, i) => ({ id: `p${i}`, path: `/gmail/v1/users/me/${kind}/${encodeURIComponent(w.id)}?format=full` })),
          timeoutMs: deps.config.gmailTimeoutMs,
        }),
      ws.length,
    );
    const again: Array<{ w: Work; err: GmailError }> = [];
    parts.forEach((p, i) => {
      const err = batchPartError(p);
      if (!err) accept(ws[i], p.body as gmail_v1.Schema$Message);
      else if (err instanceof GmailNotFoundError) drop(ws[i]);
      else again.push({ w: ws[i], err });
    });
    // Rate-limited or failed parts, one by one, with their answer: the governor's retry policy decides whether and when
    // each goes again (within the same attempts as any request), and throws what is not worth retrying.
    for (const { w, err } of again) await one(w, err);
  };

  // The most parts one batch may carry. Paced (Gmail): no more units than the burst the governor tolerates, and no
  // more parts than requests allowed in flight (the governor gives a batch one slot per part: Gmail may run them
  // as concurrent requests). Unpaced (emulators only): Gmail's recommended 50.
  const burst = quota.burstUnits;
  const parts = (method: 'messages.get' | 'threads.get'): number =>
    burst > 0
      ? Math.max(1, Math.min(RECOMMENDED_BATCH_PARTS, deps.config.maxInFlight, Math.floor(burst / costs[method])))
      : RECOMMENDED_BATCH_PARTS;
  const calls: Array<{ method: 'messages.get' | 'threads.get'; ws: Work[] }> = [
    ...chunk(work.filter((w) => w.kind === 'thread'), parts('threads.get')).map((ws) => ({ method: 'threads.get' as const, ws })),
    ...chunk(work.filter((w) => w.kind === 'message'), parts('messages.get')).map((ws) => ({ method: 'messages.get' as const, ws })),
  ];
  try {
    // Lower first: the job's BullMQ priority (incremental, INBOX, the rest), then the order jobs started in.
    const priority = (job?.opts?.priority ?? PRIORITY.batch) * 2 ** 32 + ++jobSeq;
    await callPriority.run(priority, () => mapLimit(calls, deps.config.maxInFlight, (c) => batch(c.method, c.ws)));

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
