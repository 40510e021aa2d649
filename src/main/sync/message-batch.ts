// Phase 2: details of stubs. Each job re-reads the store (a stub fetched meanwhile costs nothing),
// fetches through the quota governor (bounded in flight per account), parses, and writes the whole
// batch in one transaction. A 404 means the message was deleted meanwhile: the stub is dropped.
import type { gmail_v1 } from 'googleapis';
import { getAccount } from '../db/accounts';
import { getActiveRun } from '../db/sync-runs';
import { saveMessageDetails, deleteMessagesByGmailId, type ParsedMessage } from '../db/messages';
import { parseGmailMessage } from './parse-message';
import { GmailNotFoundError } from '../gmail/errors';
import type { SyncDeps } from './sync-deps';
import { filterPending, pendingOfThread } from './sync-store';
import { maybeFinalize } from './finalize';
import { mapLimit } from './map-limit';

type Work = { kind: 'message'; id: string } | { kind: 'thread'; id: string; pending: string[] };

export async function messageBatchProcessor(
  data: { accountId: number; gmailIds: string[]; threadIds: string[] },
  deps: SyncDeps,
): Promise<{ fetched: number; dropped: number }> {
  const { db } = deps;
  const accountId = data.accountId;
  const acct = getAccount(db, accountId);
  if (!acct || acct.status === 'needs_reconnect') return { fetched: 0, dropped: 0 };
  const run = getActiveRun(db, accountId, ['initial', 'full']);
  const listingOpen = !!run && !run.listingDone;
  const threadsPreferred = acct.fetchStrategy === 'threads';

  // Decide per thread, from what the store knows now: threads.get costs two messages.get and returns
  // every message of the thread, so it pays from two pending messages on (or, while the listing is
  // still going, when the mailbox averages more than two per thread).
  const work: Work[] = [];
  const claimed = new Set<string>();
  for (const threadId of data.threadIds) {
    const pending = pendingOfThread(db, accountId, threadId).filter((id) => !claimed.has(id));
    if (pending.length === 0) continue;
    pending.forEach((id) => claimed.add(id));
    if (pending.length >= 2 || (listingOpen && threadsPreferred)) work.push({ kind: 'thread', id: threadId, pending });
    else work.push({ kind: 'message', id: pending[0] });
  }
  for (const id of filterPending(db, accountId, data.gmailIds)) {
    if (!claimed.has(id)) {
      claimed.add(id);
      work.push({ kind: 'message', id });
    }
  }
  if (work.length === 0) return { fetched: 0, dropped: 0 };

  const parsed: ParsedMessage[] = [];
  const dropped: string[] = [];
  await mapLimit(work, deps.config.maxInFlight, async (w) => {
    try {
      if (w.kind === 'message') {
        const r = await deps.gmail.call(accountId, 'messages.get', (g) =>
          g.users.messages.get({ userId: 'me', id: w.id, format: 'full' }),
        );
        parsed.push(parseGmailMessage(r.data));
      } else {
        const r = await deps.gmail.call(accountId, 'threads.get', (g) =>
          g.users.threads.get({ userId: 'me', id: w.id, format: 'full' }),
        );
        const msgs: gmail_v1.Schema$Message[] = r.data.messages ?? [];
        const got = new Set<string>();
        for (const m of msgs) {
          if (!m.id) continue;
          if (!acct.includeSpamTrash && m.labelIds?.some((l) => l === 'SPAM' || l === 'TRASH')) continue;
          got.add(m.id);
          parsed.push(parseGmailMessage(m));
        }
        // A listed message the thread no longer has was deleted meanwhile (history replays any re-add).
        for (const id of w.pending) if (!got.has(id)) dropped.push(id);
      }
    } catch (e) {
      if (e instanceof GmailNotFoundError) {
        if (w.kind === 'message') dropped.push(w.id);
        else dropped.push(...w.pending);
        return;
      }
      throw e;
    }
  });

  // While an initial/full sync is running, messages a thread brings that the listing has not reached
  // yet are stored at once (the listing will find them fetched); otherwise only known rows are updated,
  // so a message deleted by a newer incremental pass is never brought back.
  db.sqlite.transaction(() => {
    saveMessageDetails(db, accountId, parsed, { insertMissing: !!run });
    if (dropped.length) deleteMessagesByGmailId(db, accountId, dropped);
  })();
  deps.events.emit('progress', { accountId });
  deps.events.emit('messages', { accountId });
  await maybeFinalize(deps, accountId);
  return { fetched: parsed.length, dropped: dropped.length };
}
