// What the UI and the CLI ask of the sync engine: start the right sync, reconcile after a restart,
// report progress — always from the store, which is the truth; Redis only holds jobs.
import { getAccount, listAccounts } from '../db/accounts';
import { getActiveRun } from '../db/sync-runs';
import { PRIORITY } from '../queues/definitions';
import type { SyncDeps } from './sync-deps';
import { allPendingStubs, hasPendingStubs } from '../db/stubs';
import { enqueueFetch, type FetchItem } from './dispatch';
import { maybeFinalize } from './finalize';
import { AccountNeedsReconnectError, AccountNotFoundError } from '../gmail/account-errors';

export class SyncController {
  constructor(private readonly deps: SyncDeps) {}

  /**
   * The right sync for the account's state: labels + initial sync for a new account (or to resume one),
   * a reconciling full resync when asked, else an incremental pass. Deduplicated per account: asking
   * twenty times at once runs one sync.
   */
  async requestSync(accountId: number, opts: { full?: boolean } = {}): Promise<'initial' | 'full' | 'incremental'> {
    const { db, queues } = this.deps;
    const acct = getAccount(db, accountId);
    if (!acct) throw new AccountNotFoundError(`no account with id ${accountId}`);
    if (acct.status === 'needs_reconnect') {
      throw new AccountNeedsReconnectError(`${acct.email} needs to be reconnected before it can sync (its mail is kept).`);
    }
    const run = getActiveRun(db, accountId, ['initial', 'full']);
    if (opts.full && !run) {
      await queues.addOnce('labelSync', { accountId }, PRIORITY.labels);
      await queues.addOnce('initialSync', { accountId, mode: 'full' }, PRIORITY.initial);
      return 'full';
    }
    if (run || !acct.initialSyncCompleted) {
      await queues.addOnce('labelSync', { accountId }, PRIORITY.labels);
      await queues.addOnce('initialSync', { accountId, mode: run?.type === 'full' ? 'full' : 'initial' }, PRIORITY.initial);
      await this.resumeFetching(accountId);
      return run?.type === 'full' ? 'full' : 'initial';
    }
    await queues.addOnce('incrementalSync', { accountId }, PRIORITY.incremental);
    await this.resumeFetching(accountId);
    return 'incremental';
  }

  /**
   * Pending stubs with no job to fetch them (a crash, a lost Redis): enqueue them again. Only when the
   * sync queue holds no fetch job at all, so a healthy backlog is never duplicated.
   */
  async resumeFetching(accountId: number): Promise<number> {
    const { db, queues } = this.deps;
    if (!hasPendingStubs(db, accountId)) {
      await maybeFinalize(this.deps, accountId);
      return 0;
    }
    if (await queues.hasJobs('messageBatch', accountId)) return 0;
    const acct = getAccount(db, accountId);
    const pending = allPendingStubs(db, accountId);
    const items: FetchItem[] = pending.map((p) => ({ gmailId: p.gmailId, threadId: p.threadId, priority: p.priority }));
    const threads = acct?.fetchStrategy === 'threads';
    await enqueueFetch(this.deps, accountId, threads ? [] : items, threads ? items : []);
    return items.length;
  }

  /**
   * Start-up: the store says what is unfinished; re-enqueue it and restore every schedule. An account that never
   * synced (connected by `account add`, which runs no queue) starts its first sync here.
   */
  async reconcileAll(): Promise<void> {
    const { db, queues } = this.deps;
    for (const a of listAccounts(db)) {
      if (a.status === 'needs_reconnect') continue;
      const run = getActiveRun(db, a.id, ['initial', 'full']);
      if (!run && !a.initialSyncCompleted) {
        await this.requestSync(a.id);
        continue;
      }
      if (run) {
        await queues.addOnce('initialSync', { accountId: a.id, mode: run.type === 'full' ? 'full' : 'initial' }, PRIORITY.initial);
      }
      if (run || a.initialSyncCompleted) await this.resumeFetching(a.id);
    }
    await queues.add('scheduledIncrementalSync', {}, { priority: PRIORITY.maintenance });
  }
}
