// Which of Gmail's two quota tables an account is on (DESIGN.md, "two profiles"). Users do not know which table their
// Cloud project is on, so with the `auto` setting (the default, issue 14) the governor starts on the `2026` table,
// the stricter one, and finds out by itself:
// - a probe: while it runs, the account is paced as `legacy` at PROBE_SHARE of that table's budget (after a start
//   at PROBE_START_SHARE), by its costs and windows. A `legacy` project answers all of it, and its sync goes on at
//   nearly its full rate meanwhile (a first probe, at six times the `2026` pace, ran at 0.6 of `legacy`'s for
//   message fetches throughout, in `2026`'s small batches). For a `2026` project that is ~9 times its pace for
//   message fetches (they cost four times their `legacy` price there): it refuses the probe within its first second
//   where the per-second window is held, and once the minute's budget is spent where only the minute is. Answered
//   requests worth PROBE_BUDGETS minutes of the `2026` budget (counted at `2026` prices) within one minute and no
//   rate-limit answer say `legacy`; a rate-limit answer says `2026`, and what the probe spent beyond the `2026` pace
//   is paid back by a pause (excessUnits), or the minute window would refuse what follows. The probe lasts ~10 s of
//   a sync with enough to fetch;
// - the answer is remembered per account (the store, through GmailAccess), and checked again when a rate-limit answer
//   contradicts it (a `legacy` account refused while paced as `legacy`), or after RECHECK_2026_MS for `2026` (the
//   user may have moved to another Cloud project's client).
// Each process keeps its own view, seeded from the store when it first calls for the account: one process learning
// the answer does not tell another already running; that one keeps its view (on `2026`, safe) until it restarts.
import type { QuotaProfileName, QuotaProfileSetting, QuotaProfileSource } from '../../shared/gmail-quota';

export type { QuotaProfileSetting };
type ProfileSource = QuotaProfileSource;
export type ProfileInUse = { profile: QuotaProfileName; source: ProfileSource; probing: boolean };
/** What the store remembers of an account's table (`auto`): the answer and when it was found. */
export type RememberedProfile = { profile: QuotaProfileName; checkedAt: number };

/**
 * The probe's pace, as a share of the `legacy` table's budget (per second and per minute): PROBE_START_SHARE for its
 * first PROBE_START_MS, then PROBE_SHARE. The start is four times a `2026` project's pace for message fetches (20
 * messages a second per `legacy` budget of 250 units, against 5 per `2026` budget of 100): one holding the per-second
 * window refuses it within its first second, and the rate-limit answers it draws are about the requests sent in a
 * round trip at that pace (at 0.6, six times, every request in flight was refused: 13 to 24 answers in
 * `npm run bench`, quota-auto-2026; at 0.4, 7 and 8).
 */
export const PROBE_START_SHARE = 0.4;
export const PROBE_SHARE = 0.9;
export const PROBE_START_MS = 2000;
/** Units the probe spends without a rate-limit answer before it says `legacy`, in `2026` minute budgets. */
export const PROBE_BUDGETS = 1.5;
/** A remembered `2026` is probed again after this long. */
export const RECHECK_2026_MS = 7 * 24 * 3600_000;

/** A running probe: since when, units granted (for the excess) and answered (for the verdict) since then. */
type Probe = { since: number; granted: number; answered: number };
type State = { profile: QuotaProfileName; source: ProfileSource; probe: Probe | null };

export class ProfileChooser {
  private readonly states = new Map<string, State>();
  private readonly listeners = new Set<(account: string, remembered: RememberedProfile | null) => void>();

  /**
   * `probeUnits`: what the probe must spend, in `2026` units (PROBE_BUDGETS minutes of the scaled budget); 0 = never
   * probe (unpaced: nothing can be told apart). `windowMs`: Gmail's minute (compressed in tests).
   */
  constructor(
    private readonly setting: QuotaProfileSetting,
    private readonly probeUnits: number,
    private readonly windowMs: number,
  ) {}

  /** Told when an answer is found (or, null, given up after a contradiction), to remember it. Returns the unsubscribe. */
  onChange(fn: (account: string, remembered: RememberedProfile | null) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Whether this process has a view of the account yet (else seed it with remember()). */
  known(account: string): boolean {
    return this.setting !== 'auto' || this.states.has(account);
  }

  /** Seeds the account's view from what the store remembers (`auto` only; a view already held is kept). */
  remember(account: string, r: RememberedProfile | null, now = Date.now()): void {
    if (this.setting !== 'auto' || this.states.has(account)) return;
    if (r?.profile === 'legacy') this.states.set(account, { profile: 'legacy', source: 'detected', probe: null });
    else if (r && now - r.checkedAt < RECHECK_2026_MS) this.states.set(account, { profile: '2026', source: 'detected', probe: null });
    else this.states.set(account, { profile: '2026', source: r ? 'detected' : 'assumed', probe: this.newProbe(now) });
  }

  /** Whether the account's probe (if one runs) is in its first PROBE_START_MS, at PROBE_START_SHARE. */
  probeStarting(account: string, now = Date.now()): boolean {
    const probe = this.states.get(account)?.probe;
    return !!probe && now - probe.since < PROBE_START_MS;
  }

  inUse(account: string): ProfileInUse {
    if (this.setting !== 'auto') return { profile: this.setting, source: 'set', probing: false };
    const s = this.state(account);
    return { profile: s.profile, source: s.source, probing: s.probe !== null };
  }

  /** Units were granted to the account: they count towards a running probe's spend. */
  granted(account: string, units: number, now = Date.now()): void {
    const probe = this.probeOf(account, now);
    if (probe) probe.granted += units;
  }

  /** A request of the account was answered (not refused for quota): `units` count towards a running probe's verdict. */
  answered(account: string, units: number, now = Date.now()): void {
    const probe = this.probeOf(account, now);
    if (!probe) return;
    probe.answered += units;
    if (probe.answered >= this.probeUnits) this.found(account, 'legacy', now);
  }

  /**
   * Gmail refused a request of the account for quota (not for concurrency). Returns the units a probe it ended spent
   * beyond the `2026` pace (`budget` units per window), to be paid back before the account goes on; else 0.
   */
  rateLimited(account: string, budget: number, now = Date.now()): number {
    if (this.setting !== 'auto') return 0;
    const s = this.state(account);
    if (s.probe) {
      const excess = s.probe.granted - (budget * (now - s.probe.since)) / this.windowMs;
      this.found(account, '2026', now);
      return Math.max(0, excess);
    }
    if (s.profile === 'legacy') {
      // Paced as `legacy` and refused: the answer may be stale (another project's client). Back to the safe table,
      // forget the answer, and find out again.
      this.states.set(account, { profile: '2026', source: 'assumed', probe: this.newProbe(now) });
      this.emit(account, null);
    }
    return 0;
  }

  /** The account's running probe; one that could not spend enough within a window starts counting again. */
  private probeOf(account: string, now: number): Probe | null {
    const probe = this.states.get(account)?.probe;
    if (!probe) return null;
    if (now - probe.since > this.windowMs) Object.assign(probe, { since: now, granted: 0, answered: 0 });
    return probe;
  }

  private found(account: string, profile: QuotaProfileName, now: number): void {
    this.states.set(account, { profile, source: 'detected', probe: null });
    this.emit(account, { profile, checkedAt: now });
  }

  private emit(account: string, r: RememberedProfile | null): void {
    for (const fn of this.listeners) {
      // Not remembered (a store in trouble) is no reason to fail the request that found it out.
      try {
        fn(account, r);
      } catch {
        /* found out again next time */
      }
    }
  }

  private state(account: string): State {
    let s = this.states.get(account);
    if (!s) {
      // Never seeded (a caller without a store): start as if nothing were remembered.
      this.remember(account, null);
      s = this.states.get(account) as State;
    }
    return s;
  }

  private newProbe(now: number): State['probe'] {
    return this.probeUnits > 0 ? { since: now, granted: 0, answered: 0 } : null;
  }
}

/**
 * Where the answers are remembered. gmail/ never imports the store (DESIGN.md): the store implements this
 * (db/quota-profiles.ts) and whoever builds Gmail access passes it in.
 */
export interface QuotaProfileRepository {
  remembered(accountId: number): RememberedProfile | null;
  /** null: forget the answer (found out again next time). */
  remember(accountId: number, r: RememberedProfile | null): void;
}
