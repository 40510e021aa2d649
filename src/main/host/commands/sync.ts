// `mailmirror sync [--account <email>] [--full] [--wait]`: enqueue the right sync and return at once;
// with --wait, run the workers here, show progress, and exit 0 once every selected account is fully
// synced and idle (non-zero with a clear message when a sync failed).
import type { CliContext } from '../cli-context';
import { createAppCore, type AppCore } from '../../app-core';
import type { Account, AccountStatus } from '../../app-core';
import { ProgressView } from '../progress';
import { UsageError, parseCommandArgs } from '../args';
import { redisHealthChangeLine, type RedisHealthState } from '../../app-core';

export async function syncCommand(ctx: CliContext, args: string[]): Promise<number> {
  const { values } = parseCommandArgs('sync', args, {
    account: { type: 'string' },
    full: { type: 'boolean' },
    wait: { type: 'boolean' },
  });
  const core = await createAppCore(ctx.config, { runWorkers: !!values.wait });
  try {
    const accounts = selectAccounts(core, values.account);
    for (const a of accounts) {
      const kind = await core.requestSync(a.id, { full: values.full });
      if (!values.wait) ctx.stdout.write(`${a.email}: ${kind} sync queued\n`);
    }
    if (!values.wait) return 0;
    return await waitUntilIdle(core, ctx, accounts.map((a) => a.id));
  } catch (e) {
    throw core.reportStoreError(e);
  } finally {
    await core.close();
  }
}

const OFFLINE_GIVE_UP_MS = 120_000;
/** How often the wait loop redraws the progress, and how much of the time reading the status may take (1/50). */
const REDRAW_MS = 200;
const REDRAW_MAX_MS = 2_000;
const READ_SHARE_INVERSE = 50;
/** How long the wait loop waits for Redis to count the jobs before it redraws anyway. */
const COUNT_WAIT_MS = 1_000;
/** A Redis outage shorter than this (a supervised restart) gets its stderr lines but no note on the progress. */
const NOTE_AFTER_MS = 2_000;

export function selectAccounts(core: AppCore, email: string | undefined): Account[] {
  if (email) {
    const a = core.findAccount(email);
    if (!a) throw new UsageError(`no account ${email} (see \`mailmirror account list\`)`);
    return [a];
  }
  const all = core.listAccounts();
  if (all.length === 0) throw new UsageError('no accounts yet: connect one with `mailmirror account add`');
  return all;
}

/**
 * Waits until every account is synced, has run an incremental pass since we started, and no job is
 * left; redraws the progress meanwhile. Stops early on a failed sync or a revoked token.
 */
export async function waitUntilIdle(
  core: AppCore,
  ctx: Pick<CliContext, 'stdout' | 'stderr' | 'isTTY'>,
  accountIds: number[],
  opts: { timeoutMs?: number } = {},
): Promise<number> {
  const started = Date.now();
  const view = new ProgressView(ctx.stdout, ctx.isTTY);
  let idleSince = 0;
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let lastResume = Date.now();
  const offlineSince = new Map<number, number>();
  // Redis outages in one line each on stderr ("Redis stopped — restarting", "Redis answers again"), and a Redis
  // that does not answer shown on the progress itself, which would otherwise just stop moving.
  const health = core.watchRedisHealth();
  const onHealth = (state: RedisHealthState, previous: RedisHealthState) => {
    const line = redisHealthChangeLine(state, previous);
    if (!line) return;
    view.interrupt();
    ctx.stderr.write(`mailmirror: ${line}\n`);
  };
  health.on('change', onHealth);
  // One count in flight at a time, and the loop goes on without it when Redis is slow to answer.
  let counting: Promise<number | null> | null = null;
  const unfinishedCount = (): Promise<number | null> => {
    counting ??= core
      .unfinishedJobs()
      .catch(() => null)
      .finally(() => {
        counting = null;
      });
    return Promise.race([counting, new Promise<null>((r) => setTimeout(() => r(null), COUNT_WAIT_MS))]);
  };
  try {
    for (;;) {
      // A damaged store stopped the workers for good: say so now (cli.ts words it), not after every retry.
      const damage = core.storeDamage();
      if (damage) throw damage;
      const readStarted = performance.now();
      const statuses = accountIds.flatMap((id): AccountStatus[] => {
        try {
          return [core.accountStatus(id)];
        } catch (e) {
          if ((e as { code?: unknown }).code === 'ACCOUNT_NOT_FOUND') return [];
          throw e;
        }
      });
      // Damage met while reading the statuses: the same words as above, not a failed sync.
      const found = core.storeDamage();
      if (found) throw found;
      const readMs = performance.now() - readStarted;
      view.render(statuses, health.describe(Date.now(), NOTE_AFTER_MS));
      // Gmail out of reach is not a failure: it is waited for below (and given up on after a while).
      const broken = statuses.find((a) => a.stored === 'needs_reconnect' || a.stored === 'error');
      if (broken) {
        const why = broken.storedError ?? broken.stored;
        ctx.stderr.write(
          broken.stored === 'needs_reconnect'
            ? `mailmirror: sync of ${broken.email} stopped: Gmail no longer accepts its authorization (${why}). Reconnect it with \`mailmirror account add\`; its mirrored mail is kept.\n`
            : `mailmirror: sync of ${broken.email} failed: ${why}\n`,
        );
        return 1;
      }
      const storage = core.storageFailure();
      if (storage) {
        ctx.stderr.write(
          `mailmirror: sync paused: ${storage} (${core.dataDir}). Free some space and run \`mailmirror sync --wait\` again: it resumes where it stopped.\n`,
        );
        return 1;
      }
      // Gmail unreachable for long: say so rather than wait for every retry (the next run resumes).
      for (const a of statuses) {
        const id = a.status.accountId;
        const why = core.offlineReason(id);
        if (!why) offlineSince.delete(id);
        else if (!offlineSince.has(id)) offlineSince.set(id, Date.now());
        else if (Date.now() - offlineSince.get(id)! > OFFLINE_GIVE_UP_MS) {
          ctx.stderr.write(`mailmirror: cannot reach Gmail for ${a.email} (${why}); the sync resumes where it stopped next time\n`);
          return 1;
        }
      }
      const allSynced = statuses.every(
        // percent is 100 only once the store says synced (offline or not: an unreachable Gmail is waited for above).
        (a) => a.status.percent === 100 && a.status.initialSyncCompleted && !!a.lastIncrementalSyncAt && a.lastIncrementalSyncAt.getTime() >= started - 1000,
      );
      // null: Redis did not say (yet); neither idle nor a reason to enqueue again.
      const unfinished = await unfinishedCount();
      if (allSynced && unfinished === 0) {
        // Idle twice in a row, a moment apart: nothing was about to be enqueued.
        if (idleSince && Date.now() - idleSince >= 300) {
          for (const a of statuses) ctx.stdout.write(`${a.email}: synced ${a.status.processed} messages (historyId ${a.historyId})\n`);
          return 0;
        }
        idleSince ||= Date.now();
      } else idleSince = 0;
      // Nothing queued but work left (a job lost with Redis): derive it again from the store.
      if (unfinished === 0 && !allSynced && Date.now() - lastResume > 3000) {
        lastResume = Date.now();
        for (const id of accountIds) await core.requestSync(id).catch(() => undefined);
      }
      if (interrupted) {
        ctx.stderr.write('mailmirror: interrupted; the sync resumes where it stopped next time\n');
        return 130;
      }
      if (opts.timeoutMs && Date.now() - started > opts.timeoutMs) {
        ctx.stderr.write('mailmirror: timed out waiting for the sync\n');
        return 1;
      }
      // The status counts the account's messages in the store: ~2 ms at 20k, ~4 ms at 100k, more at 500k, on the
      // thread that also writes what the workers fetch. Redrawn every 200 ms, or less often so that reading it stays
      // within ~2% of the time (at most every 2 s: the bar keeps moving).
      await new Promise((r) => setTimeout(r, Math.min(REDRAW_MAX_MS, Math.max(REDRAW_MS, READ_SHARE_INVERSE * readMs))));
    }
  } finally {
    health.off('change', onHealth);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
