// What only the running process knows of each account's sync (how Gmail answers, Redis, the disk, a sync the user
// just asked for): the live half of sync/status.ts's StatusFacts, and the watch that pushes a change of them to every
// open window (as sync:progress) within about a second, since none of them shows in the store.
import type { Account } from './db/accounts';
import type { GmailAccess } from './gmail/gmail-access';
import type { RedisSupervisor } from './redis';
import type { CoreEvents } from './core-events';
import { FAILING_AFTER_MS, REQUESTED_FOR_MS, type StatusFacts } from './sync/status';

export type LiveFactsDeps = {
  gmail: () => GmailAccess;
  /** The Redis this process supervises (a process without workers does not watch it). */
  redis: RedisSupervisor | null;
  /** Why the disk pauses the sync, or null. */
  storage: () => string | null;
  accounts: () => Account[];
  events: CoreEvents;
  /**
   * A cheap request to Gmail for an account it is not answering well (users.getProfile, 1 unit): its answer is how
   * the core learns, within seconds, that Gmail is back. Absent in a process without workers (nothing to resume).
   */
  probe?: (accountId: number) => Promise<unknown>;
};

/** How often an account Gmail is not answering well is probed. */
const PROBE_EVERY_MS = 5_000;

/** A Redis outage shorter than this (a supervised restart) is not shown. */
const REDIS_AFTER_MS = 2_000;

export class LiveFacts {
  /** When a sync was last asked for, per account (shown as "checking" until its pass ends). */
  private readonly requested = new Map<number, number>();
  private timer: NodeJS.Timeout | null = null;
  private readonly probing = new Map<number, number>();

  constructor(private readonly deps: LiveFactsDeps) {}

  /** A sync of the account was just asked for. */
  asked(accountId: number): void {
    this.requested.set(accountId, Date.now());
  }

  facts(accountId: number, now = Date.now()): StatusFacts {
    const gmail = this.deps.gmail().gmailHealth(accountId);
    return {
      now,
      offline: gmail?.state === 'unreachable' ? gmail.message : null,
      gmailFailingSince: gmail?.state === 'failing' ? gmail.since : null,
      redis: this.deps.redis?.watchHealth().describe(now, REDIS_AFTER_MS) ?? null,
      storage: this.deps.storage(),
      requestedAt: this.requested.get(accountId) ?? null,
    };
  }

  /** What a window would show differently, in one string (seconds ticking in a message do not count). */
  private signature(a: Account, now: number): string {
    const f = this.facts(a.id, now);
    const failing = f.gmailFailingSince != null && now - f.gmailFailingSince >= FAILING_AFTER_MS;
    const asked = f.requestedAt != null && (a.lastIncrementalSyncAt?.getTime() ?? 0) < f.requestedAt && now - f.requestedAt < REQUESTED_FOR_MS;
    return `${!!f.offline}|${failing}|${!!f.redis}|${f.storage ?? ''}|${asked}`;
  }

  /** Every second: an account whose live facts changed is announced (sync:progress). */
  watch(): void {
    if (this.timer) return;
    const seen = new Map<number, string>();
    this.timer = setInterval(() => {
      const now = Date.now();
      let accounts: Account[];
      try {
        accounts = this.deps.accounts();
      } catch {
        return; // the store is being swapped (damaged, rebuilt): the next tick reads the new one
      }
      for (const a of accounts) {
        const sig = this.signature(a, now);
        if (seen.has(a.id) && seen.get(a.id) !== sig) this.deps.events.emit('sync:progress', { accountId: a.id });
        seen.set(a.id, sig);
        this.maybeProbe(a, now);
      }
    }, 1_000);
    this.timer.unref();
  }

  /** One probe in flight per account, every PROBE_EVERY_MS while Gmail is not answering it well. */
  private maybeProbe(a: Account, now: number): void {
    const probe = this.deps.probe;
    if (!probe || a.status === 'needs_reconnect' || !this.deps.gmail().gmailHealth(a.id)) return;
    const last = this.probing.get(a.id);
    if (last !== undefined && (last < 0 || now - last < PROBE_EVERY_MS)) return;
    this.probing.set(a.id, -1);
    probe(a.id)
      .catch(() => undefined) // its failure is recorded as the account's Gmail health
      .finally(() => this.probing.set(a.id, Date.now()));
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
