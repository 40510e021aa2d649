// Initial (and reconciling full) sync, phase 1: listing. Google's sync guide:
// https://developers.google.com/workspace/gmail/api/guides/sync#full_synchronization
// - the historyId comes from getProfile BEFORE listing (changes during the sync are replayed after);
// - messages.list pages (500) become stubs, the page token checkpointed in the same transaction, so a
//   crash resumes the listing where it stopped;
// - INBOX is listed first, then everything (spam and trash included unless the account excludes them);
// - each page's stubs are handed to messageBatch jobs as soon as the cheapest way to fetch them is known (below):
//   the newest mail is readable long before the listing ends. The job works in slices and re-enqueues itself, so
//   no job runs for long.
//
// Which way is cheapest (issue 8, `auto`): threads.get costs two messages.get and returns every message of a thread,
// so it pays from two messages on; a thread's size is known once the listing has passed its first message (Gmail
// lists newest first, and a thread's id is its first message's id). So, in the all-mail phase, a thread is
// dispatched on the page where its first message appears (or at once when that message is already stored: a
// thread whose first message was listed in the INBOX phase, or is mirrored already), with its exact count of
// pending messages; a thread whose first message never shows (deleted, or in spam/trash not mirrored) is swept up
// when the listing ends. Only the newest INBOX messages skip the wait: the first FIRST_USE_MESSAGES are fetched
// one by one at once, because at the `2026` quota a thread costs as much as two messages and first use is the
// newest INBOX mail readable within seconds.
import { getAccount, updateAccount } from '../db/accounts';
import { addListedIds, createRun, getActiveRun, updateRun } from '../db/sync-runs';
import { insertStubs, messageExists, pendingOfThread, rootlessPendingStubs } from '../db/stubs';
import { transaction, type Db } from '../db';
import { listLabels } from '../db/labels';
import { reconcileLabels } from './label-reconcile';
import { syncAllLabels } from './label-sync';
import { PRIORITY } from '../queues/definitions';
import type { SyncDeps } from './sync-deps';
import { enqueueFetch, fetchStrategy, type FetchItem, type FetchStrategy } from './dispatch';
import { maybeFinalize } from './finalize';

const SLICE_MS = 4000;
const PAGE_SIZE = 500;
/** The newest INBOX messages fetched one by one at once, before thread sizes are known (time to first use). */
export const FIRST_USE_MESSAGES = 100;

export type ListCursor = { phase: 'inbox' | 'all' | 'labels'; token?: string };

export function parseCursor(s: string | null): ListCursor {
  if (!s) return { phase: 'inbox' };
  try {
    const c = JSON.parse(s) as ListCursor;
    if (c.phase === 'inbox' || c.phase === 'all' || c.phase === 'labels') return c;
  } catch {
    /* an older plain token: treat as the all-mail phase */
    return { phase: 'all', token: s };
  }
  return { phase: 'inbox' };
}

type Plan = { messages: FetchItem[]; threads: FetchItem[] };

/** One thread, dispatched with what the store knows now: a lone pending message by itself, else the thread. */
function planThread(db: Db, accountId: number, threadId: string, plan: Plan): void {
  const pending = pendingOfThread(db, accountId, threadId);
  if (pending.length === 0) return;
  const priority = Math.min(...pending.map((p) => p.priority));
  if (pending.length === 1) plan.messages.push({ gmailId: pending[0].gmailId, threadId, priority });
  else plan.threads.push({ gmailId: pending[0].gmailId, threadId, priority });
}

/** What to fetch for one listed page (in its transaction, after its stubs are stored). See the header. */
export function planPage(
  db: Db,
  accountId: number,
  strategy: FetchStrategy,
  phase: 'inbox' | 'all',
  page: readonly { id: string; threadId: string }[],
  base: number,
  priority: number,
): Plan {
  const plan: Plan = { messages: [], threads: [] };
  if (strategy === 'messages') {
    for (const m of page) plan.messages.push({ gmailId: m.id, threadId: m.threadId, priority });
    return plan;
  }
  if (strategy === 'threads') {
    const seen = new Set<string>();
    for (const m of page) {
      if (seen.has(m.threadId)) continue;
      seen.add(m.threadId);
      plan.threads.push({ gmailId: m.id, threadId: m.threadId, priority });
    }
    return plan;
  }
  if (phase === 'inbox') {
    for (let i = 0; i < page.length && base + i < FIRST_USE_MESSAGES; i++) {
      plan.messages.push({ gmailId: page[i].id, threadId: page[i].threadId, priority });
    }
    return plan;
  }
  const roots = new Set(page.filter((m) => m.id === m.threadId).map((m) => m.id));
  const seen = new Set<string>();
  for (const m of page) {
    if (seen.has(m.threadId)) continue;
    seen.add(m.threadId);
    // Its first message still to come: the page that lists it dispatches the whole thread.
    if (!roots.has(m.threadId) && !messageExists(db, accountId, m.threadId)) continue;
    planThread(db, accountId, m.threadId, plan);
  }
  return plan;
}

/** At the end of the listing: the threads no page dispatched because their first message never showed. */
export function planRootless(db: Db, accountId: number): Plan {
  const plan: Plan = { messages: [], threads: [] };
  const byThread = new Map<string, { gmailId: string; threadId: string; priority: number }[]>();
  for (const r of rootlessPendingStubs(db, accountId)) {
    const t = byThread.get(r.threadId);
    if (t) t.push(r);
    else byThread.set(r.threadId, [r]);
  }
  for (const [threadId, rows] of byThread) {
    const priority = Math.min(...rows.map((r) => r.priority));
    if (rows.length === 1) plan.messages.push({ gmailId: rows[0].gmailId, threadId, priority });
    else plan.threads.push({ gmailId: rows[0].gmailId, threadId, priority });
  }
  return plan;
}

export async function initialSyncProcessor(data: { accountId: number; mode: 'initial' | 'full' }, deps: SyncDeps): Promise<void> {
  const { db } = deps;
  const accountId = data.accountId;
  const acct = getAccount(db, accountId);
  if (!acct || acct.status === 'needs_reconnect') return;

  let run = getActiveRun(db, accountId, ['initial', 'full']);
  if (!run) {
    if (data.mode === 'initial' && acct.initialSyncCompleted) return;
    const profile = await deps.gmail.call(accountId, 'users.getProfile', (g) => g.users.getProfile({ userId: 'me' }));
    const messagesTotal = profile.data.messagesTotal ?? null;
    const threadsTotal = profile.data.threadsTotal ?? null;
    updateAccount(db, accountId, {
      messagesTotal,
      threadsTotal,
      // How stubs are re-enqueued after a restart (SyncController.resumeFetching): by thread unless every message is
      // to go by messages.get; the message-batch processor still picks the cheaper call per thread.
      fetchStrategy: fetchStrategy() === 'messages' ? 'messages' : 'threads',
      lastError: null,
      status: 'active',
    });
    run = createRun(db, {
      accountId,
      type: data.mode,
      status: 'running',
      startHistoryId: profile.data.historyId ?? null,
    });
    deps.log.info({ accountId, runId: run.id, mode: data.mode, historyId: run.startHistoryId, messagesTotal }, 'sync run started');
    deps.events.emit('sync:progress', { accountId });
  }
  const strategy = fetchStrategy();
  const deadline = Date.now() + SLICE_MS;

  while (!run.listingDone && Date.now() < deadline) {
    const cursor = parseCursor(run.pageToken);
    if (cursor.phase === 'labels') {
      // Reconciling resync: messages kept from before get Gmail's current labels without a re-fetch. Gmail's
      // labels as they are now, not the store's (a label created since the last label sync has members too).
      await syncAllLabels(deps, accountId);
      const labelIds = listLabels(db, accountId).map((l) => l.id);
      const changed = await reconcileLabels(deps, accountId, labelIds, acct.includeSpamTrash);
      deps.log.info({ accountId, changed }, 'labels reconciled');
      updateRun(db, run.id, { listingDone: true });
      run = { ...run, listingDone: true };
      break;
    }
    const res = await deps.gmail.call(accountId, 'messages.list', (g) =>
      g.users.messages.list({
        userId: 'me',
        maxResults: PAGE_SIZE,
        pageToken: cursor.token,
        includeSpamTrash: acct.includeSpamTrash,
        labelIds: cursor.phase === 'inbox' ? ['INBOX'] : undefined,
      }),
    );
    const page = (res.data.messages ?? []).filter((m): m is { id: string; threadId: string } => !!m.id);
    const phase = cursor.phase;
    const priority = phase === 'inbox' ? 1 : 2;
    const next: ListCursor | null = res.data.nextPageToken
      ? { phase: cursor.phase, token: res.data.nextPageToken }
      : cursor.phase === 'inbox'
        ? { phase: 'all' }
        : run.type === 'full'
          ? { phase: 'labels' }
          : null;
    const base: number = run.listedCount;
    const currentRun = run;

    // One transaction: the stubs and the checkpoint that says they are there.
    const { messages, threads } = transaction(db, () => {
      insertStubs(
        db,
        accountId,
        page.map((m, i) => ({ gmailId: m.id, threadId: m.threadId ?? m.id, priority, listSeq: base + i })),
      );
      if (currentRun.type === 'full') addListedIds(db, currentRun.id, page.map((m) => m.id));
      updateRun(db, currentRun.id, {
        pageToken: next ? JSON.stringify(next) : currentRun.pageToken,
        listingDone: next === null,
        listedCount: base + page.length,
      });
      const plan = planPage(
        db,
        accountId,
        strategy,
        phase,
        page.map((m) => ({ id: m.id, threadId: m.threadId ?? m.id })),
        base,
        priority,
      );
      if (phase === 'all' && next?.phase !== 'all' && strategy === 'auto') {
        const rest = planRootless(db, accountId);
        plan.messages.push(...rest.messages);
        plan.threads.push(...rest.threads);
      }
      return plan;
    });
    run = { ...run, listedCount: base + page.length, listingDone: next === null, pageToken: next ? JSON.stringify(next) : run.pageToken };
    await enqueueFetch(deps, accountId, messages, threads);
    deps.events.emit('sync:progress', { accountId });
  }

  if (!run.listingDone) {
    await deps.queues.addOnce('initialSync', { accountId, mode: data.mode }, PRIORITY.initial);
    return;
  }
  await maybeFinalize(deps, accountId);
}
