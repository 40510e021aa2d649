// Initial (and reconciling full) sync, phase 1: listing. Google's sync guide:
// https://developers.google.com/workspace/gmail/api/guides/sync#full_synchronization
// - the historyId comes from getProfile BEFORE listing (changes during the sync are replayed after);
// - messages.list pages (500) become stubs, the page token checkpointed in the same transaction, so a
//   crash resumes the listing where it stopped;
// - INBOX is listed first, then everything (spam and trash included unless the account excludes them);
// - each page's new stubs are handed to messageBatch jobs at once: the newest mail is readable long
//   before the listing ends. The job works in slices and re-enqueues itself, so no job runs for long.
import { getAccount, updateAccount } from '../db/accounts';
import { addListedIds, createRun, getActiveRun, updateRun } from '../db/sync-runs';
import { insertStubs } from '../db/messages';
import { listLabels } from '../db/labels';
import { reconcileLabels } from './label-reconcile';
import { PRIORITY } from '../queues/definitions';
import type { SyncDeps } from './sync-deps';
import { enqueueFetch, type FetchItem } from './dispatch';
import { maybeFinalize } from './finalize';

const SLICE_MS = 4000;
const PAGE_SIZE = 500;

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

/** Prefer whole threads (threads.get: twice a messages.get, every message of the thread) when the
 * mailbox averages more than two messages per thread (getProfile's totals); refined per thread later. */
export function preferThreads(messagesTotal: number | null, threadsTotal: number | null): boolean {
  if (!messagesTotal || !threadsTotal) return false;
  return messagesTotal / threadsTotal > 2;
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
      fetchStrategy: preferThreads(messagesTotal, threadsTotal) ? 'threads' : 'messages',
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
    deps.events.emit('progress', { accountId });
  }
  const threadsFirst = getAccount(db, accountId)?.fetchStrategy === 'threads';
  const deadline = Date.now() + SLICE_MS;

  while (!run.listingDone && Date.now() < deadline) {
    const cursor = parseCursor(run.pageToken);
    if (cursor.phase === 'labels') {
      // Reconciling resync: messages kept from before get Gmail's current labels without a re-fetch.
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
    const priority = cursor.phase === 'inbox' ? 1 : 2;
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
    const { messages, threads } = db.sqlite.transaction(() => {
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
      // What to fetch: whole threads when they are cheaper (the job re-counts a thread's pending stubs
      // and falls back to messages.get for a lone one), else message by message. Stubs already fetched
      // (a thread fetched earlier brought them) are skipped by the job at no cost.
      const msgs: FetchItem[] = [];
      const thrs: FetchItem[] = [];
      const seenThreads = new Set<string>();
      for (const m of page) {
        const t = m.threadId ?? m.id;
        if (!threadsFirst) msgs.push({ gmailId: m.id, threadId: t, priority });
        else if (!seenThreads.has(t)) {
          seenThreads.add(t);
          thrs.push({ gmailId: m.id, threadId: t, priority });
        }
      }
      return { messages: msgs, threads: thrs };
    })();
    run = { ...run, listedCount: base + page.length, listingDone: next === null, pageToken: next ? JSON.stringify(next) : run.pageToken };
    await enqueueFetch(deps, accountId, messages, threads);
    deps.events.emit('progress', { accountId });
  }

  if (!run.listingDone) {
    await deps.queues.addOnce('initialSync', { accountId, mode: data.mode }, PRIORITY.initial);
    return;
  }
  await maybeFinalize(deps, accountId);
}
