// Every Gmail call goes through the quota governor: it paces quota units per account across every worker process
// (state in Redis), bounds requests in flight per account in this process, and owns retries of rate-limit and
// transient failures. Gmail's limits: https://developers.google.com/workspace/gmail/api/reference/quota
//
// Why not rate-limiter-flexible or BullMQ's limiter (DESIGN.md asks for a maintained limiter "unless measurements
// show it cannot reach the ceiling"): both count in fixed windows (measured: quota-scripts.ts).
// BullMQ's limiter also counts jobs, not units. So the governor runs its own limiter in one Lua script, atomic in
// Redis and shared by every process. Gmail holds the per-user budget both per minute and as a per-second moving
// window ("250 quota units per user per second, moving average" for the legacy table; an independent emulator
// that holds both answered 43 rate-limit errors to GCRA alone, which admits up to twice a second's budget in one
// second). Two parts:
// - a log of the grants of the last second: a grant is refused while it would take that log over one second's budget
//   (budget / 60). Gmail charges a call when it arrives, so each grant counts for one second from when it may have
//   arrived: its grant plus a small margin, or, once answered, its answer less the fastest round trip seen lately
//   (its own delay beyond the fastest), whichever is later (quota-scripts.ts says why that is exact). Counting from
//   the answer plus a fixed margin instead (until issue 14) capped use near 0.92 of a second's budget. Over a
//   minute the log admits at most 60 seconds' worth, so the minute holds too;
// - GCRA (a token bucket kept as one timestamp) a little above what the log sustains, so the log's expiries clock the
//   grants evenly; it also carries the slowdown after a rate-limit answer (quota-pacing.ts).
// Measured by test/integration/governor-quota.test.ts and `npm run bench` (our emulator holds both windows). With the
// short window off (shortWindowMs: 0; tests that compress the minute) the older minute-only pacing applies.
// Which table (`2026`, `legacy`, or found per account with `auto`): quota-profile.ts.
//
// Order inside a process: priority order, metadata first (quota-order.ts).
//
// This file runs calls through those parts and owns the retry policy for one request's answers.
import type { Redis } from 'ioredis';
import { QUOTA_PROFILES, type GmailMethod, type QuotaProfileName } from '../../shared/gmail-quota';
import { classifyGmailError, GmailAuthError, GmailRateLimitError, GmailTransientError, type GmailError } from './errors';
import { abortReason, InFlightLimit, priorityOf, sleep, Turn } from './quota-order';
import { governorPacing, paceFor, type Pace } from './quota-pacing';
import { PROBE_BUDGETS, PROBE_SHARE, PROBE_START_SHARE, ProfileChooser, type ProfileInUse } from './quota-profile';
import { defineQuotaScripts, type GovernorRedis } from './quota-scripts';
import { emptyStats, type CallOptions, type QuotaGovernorOptions, type QuotaStats } from './quota-options';

export type { CallOptions, QuotaGovernorOptions, QuotaStats } from './quota-options';

export { callPriority } from './quota-order';
export { DEFAULT_JITTER_MS, governorPacing, QUOTA_SAFETY } from './quota-pacing';

/**
 * After a rate-limit answer the account's rate is multiplied by this, recovering linearly over RECOVER_SHORT_WINDOWS
 * short windows (seconds, not Gmail's minute: issue 14), or over one window when only the minute is held.
 */
export const RATE_LIMIT_SLOWDOWN = 0.7;
const RECOVER_SHORT_WINDOWS = 5;
const MIN_RATE_FACTOR = 0.1;
const MAX_BACKOFF_MS = 32_000;
/**
 * Unpaced (scale 0: emulators, benchmarks), a process asks Redis whether another one recorded a rate-limit pause at
 * most this often per account instead of once per call (a round trip that measured 5% of a quota-off sync's CPU).
 * A pause recorded here is known at once; one recorded elsewhere is seen within this delay.
 */
const UNPACED_CHECK_MS = 50;

type RetryState = { tokenRetried: boolean };

/** What this process knows of an account's pause without asking Redis (unpaced mode). */
type LocalPause = { until: number; checkedAt: number; check?: Promise<number> };

export class QuotaGovernor {
  private readonly redis: GovernorRedis;
  private readonly maxAttempts: number;
  private readonly backoffBaseMs: number;
  private readonly windowMs: number;
  /** How long the slowdown after a rate-limit answer (and a lowered in-flight limit) takes to wear off. */
  private readonly recoverMs: number;
  /** Each table's pacing, and the probe's (the `legacy` table's at PROBE_START_SHARE, then PROBE_SHARE of its budget). */
  private readonly paces: Record<QuotaProfileName | 'probeStart' | 'probe', Pace>;
  /** Which table each account is on (`auto`: found out per account). */
  readonly profiles: ProfileChooser;
  /**
   * Units per window the governor paces to at full rate (0 = unpaced) and the burst it allows, on the configured
   * table (`auto`: on `2026`, where it starts); pacingFor() says an account's.
   */
  readonly pacing: ReturnType<typeof governorPacing>;
  private readonly limits = new Map<string, InFlightLimit>();
  private readonly turns = new Map<string, Turn>();
  private readonly pauses = new Map<string, LocalPause>();
  private readonly perAccount = new Map<string, QuotaStats>();
  private readonly total = emptyStats();

  constructor(redis: Redis, private readonly opts: QuotaGovernorOptions) {
    this.maxAttempts = Math.max(1, opts.maxAttempts ?? 6);
    this.backoffBaseMs = opts.backoffBaseMs ?? 500;
    this.windowMs = opts.windowMs ?? 60_000;
    const pace = (profile: QuotaProfileName, scale = opts.scale): Pace => paceFor({ ...opts, profile, scale });
    // The probe runs as `legacy` at a share of its budget (quota-profile.ts): a `legacy` project's sync hardly slows.
    this.paces = {
      '2026': pace('2026'), legacy: pace('legacy'),
      probeStart: pace('legacy', opts.scale * PROBE_START_SHARE), probe: pace('legacy', opts.scale * PROBE_SHARE),
    };
    this.pacing = this.paces[opts.profile === 'auto' ? '2026' : opts.profile].pacing;
    this.recoverMs = this.pacing.short ? this.pacing.short.windowMs * RECOVER_SHORT_WINDOWS : this.windowMs;
    const probeUnits = this.pacing.unitsPerWindow > 0 ? QUOTA_PROFILES['2026'].unitsPerMinute * opts.scale * PROBE_BUDGETS : 0;
    this.profiles = new ProfileChooser(opts.profile, probeUnits, this.windowMs);
    this.redis = defineQuotaScripts(redis);
  }

  /** The unit cost of `method` under the account's table (without one: the configured table, `auto`: `2026`). */
  cost(method: GmailMethod, account?: string): number {
    return (account === undefined ? this.paces[this.opts.profile === 'auto' ? '2026' : this.opts.profile] : this.paceOf(account)).costs[method];
  }

  /** The pacing the account runs at now (its table's, or the probe's while one runs). */
  pacingFor(account: string): ReturnType<typeof governorPacing> {
    return this.paceOf(account).pacing;
  }

  /** Which table the account is on, and how that was chosen. */
  profileOf(account: string): ProfileInUse {
    return this.profiles.inUse(account);
  }

  private paceOf(account: string): Pace {
    const p = this.profiles.inUse(account);
    if (!p.probing) return this.paces[p.profile];
    return this.paces[this.profiles.probeStarting(account) ? 'probeStart' : 'probe'];
  }

  /**
   * Takes `units` (default: the method's cost) for the account, waits for a free in-flight slot, runs fn, classifies
   * errors, and retries by the one retry policy of a Gmail request (see retryAfter). Units of a failed call are not
   * refunded: Gmail charges them. `units` of k times the method's cost stand for a batch of k parts of that method,
   * which takes k in-flight slots (at most all) when paced: Gmail may run the parts as concurrent requests of the user.
   */
  async call<T>(account: string, method: GmailMethod, fn: () => Promise<T>, opts: CallOptions = {}): Promise<T> {
    const { signal } = opts;
    const stats = this.statsFor(account);
    const limit = this.limitFor(account);
    const priority = priorityOf(method);
    const state: RetryState = { tokenRetried: false };
    let attempt = 1;
    if (opts.answeredInBatch) {
      // Its first attempt was a part of a batch: the answer is weighed like any other, within the same attempts.
      await this.retryAfter(account, opts.answeredInBatch, attempt, state, { stats, limit, signal, inBatch: true, interactive: opts.interactive });
      attempt++;
    }
    for (; ; attempt++) {
      if (signal?.aborted) throw abortReason(signal);
      // The account's table may change while a call waits (auto: a probe's answer): units are counted by the table in
      // force when they are granted. More units than the method costs: a batch of that many parts.
      const unitsOf = (pace: Pace): number => {
        const cost = Math.max(1, pace.costs[method]);
        return opts.parts !== undefined ? opts.parts * cost : (opts.units ?? cost);
      };
      const first = this.paceOf(account);
      const parts = opts.parts ?? Math.max(1, Math.round(unitsOf(first) / Math.max(1, first.costs[method])));
      // The slot is taken before the units, so a request leaves as soon as its units are granted: units taken and
      // then held while waiting for a slot would reach Gmail later, bunched, and break the sliding-window bound.
      // Paced, the turn to ask for units is taken before the slot (in priority order): the queue of fetches waiting
      // for units then holds no slot but the head's, and a metadata call, which skips that queue (a few units that
      // GCRA grants within milliseconds), finds a free slot instead of waiting for a fetch to complete.
      const { release, units } = await this.slotAndUnits(account, unitsOf, parts, priority, limit, stats, signal);
      let outcome: { ok: true; value: T } | { ok: false; error: GmailError };
      try {
        this.count(stats, 'calls', 1);
        this.count(stats, 'units', units);
        try {
          outcome = { ok: true, value: await fn() };
        } catch (e) {
          if (signal?.aborted) throw abortReason(signal);
          outcome = { ok: false, error: classifyGmailError(e) };
        }
      } finally {
        release();
      }
      if (outcome.ok) {
        // A probe's verdict counts `2026` units: what a `2026` project would have charged.
        this.profiles.answered(account, unitsOf(this.paces['2026']));
        return outcome.value;
      }
      await this.retryAfter(account, outcome.error, attempt, state, { stats, limit, signal, inBatch: false, interactive: opts.interactive });
    }
  }

  /**
   * The retry policy of one Gmail request (BullMQ's job attempts are the only other layer): throws `error` when the
   * request is not to be sent again, else waits until it may be. Rate-limit and transient answers are retried up to
   * maxAttempts, a rate limit after the pause it records for every process, a transient failure after a backoff. A
   * 401 is sent again once, at once: the access token may have died before its expiry (a server-side reset, a skewed
   * clock) and the caller's OAuth client refreshes it first (GmailAccess marks it expired); a second 401 is thrown
   * (DESIGN.md: "401 refreshes the token once, then flags the account"). Anything else is thrown at once.
   */
  private async retryAfter(
    account: string, error: GmailError, attempt: number, state: RetryState,
    ctx: { stats: QuotaStats; limit: InFlightLimit; signal?: AbortSignal; inBatch: boolean; interactive?: boolean },
  ): Promise<void> {
    const { stats, limit, signal } = ctx;
    if (error instanceof GmailRateLimitError) {
      this.count(stats, 'rateLimited', 1);
      // A quota answer tells the table (auto): the probe's, or a contradiction of `legacy`. Batch parts too.
      if (error.reason !== 'concurrent') {
        const probing = this.profiles.inUse(account).probing;
        const excess = this.profiles.rateLimited(account, this.paces['2026'].pacing.unitsPerWindow);
        if (probing) await this.repay(account, excess);
      }
      // Recorded even on the last attempt: Gmail's answer concerns every process using this account. Not for a part of
      // a batch: its parts are answered together, one episode, recorded if the part's own resend is refused again.
      if (!ctx.inBatch) {
        await this.penalize(account, error, attempt);
        if (error.reason === 'concurrent') limit.lower(this.recoverMs);
      }
    }
    if (error instanceof GmailAuthError && error.status === 401) {
      if (state.tokenRetried) throw error;
      state.tokenRetried = true;
      this.count(stats, 'retries', 1);
      return;
    }
    if (!error.retryable || attempt >= (ctx.interactive ? Math.min(2, this.maxAttempts) : this.maxAttempts)) throw error;
    if (ctx.interactive && error instanceof GmailTransientError && error.status === undefined) throw error;
    this.count(stats, 'retries', 1);
    // After a rate-limit answer the pause lives in Redis: the next take() waits for it, in every process.
    if (error instanceof GmailRateLimitError) return;
    const ms = this.backoff(attempt);
    await sleep(ms, signal);
    this.count(stats, 'waitedMs', ms);
  }

  stats(account?: string): QuotaStats {
    return { ...(account === undefined ? this.total : (this.perAccount.get(account) ?? emptyStats())) };
  }

  private key(account: string): string {
    // The hash tag keeps an account's keys in one slot should the Redis ever be a cluster.
    return `${this.opts.keyPrefix}:quota:{${account}}`;
  }

  /** The short window's log of grants (same hash tag: same slot). */
  private logKey(account: string): string {
    return `${this.opts.keyPrefix}:quota:{${account}}:log`;
  }

  private backoff(attempt: number): number {
    return Math.random() * Math.min(MAX_BACKOFF_MS, this.backoffBaseMs * 2 ** (attempt - 1));
  }

  /** A slot, then the units (as many as unitsOf says for the account's pace when granted); returns the slot's release. */
  private async slotAndUnits(
    account: string, unitsOf: (pace: Pace) => number, parts: number, priority: number, limit: InFlightLimit,
    stats: QuotaStats, signal?: AbortSignal,
  ): Promise<{ release: () => void; units: number }> {
    const paced = this.pacing.unitsPerWindow > 0;
    const releaseTurn = paced && priority > 0 ? await this.turnFor(account).acquire(priority, signal) : undefined;
    try {
      // Unpaced (scale 0) is for emulators only, and the emulator counts a batch as one request in flight; one slot
      // per part there serialized batches and measured 40% slower (issue 8).
      const release = await limit.acquire(priority, signal, paced ? parts : 1);
      let grant: { member: string | null; units: number; pace: Pace };
      try {
        grant = await this.take(account, unitsOf, stats, signal);
        this.profiles.granted(account, unitsOf(this.paces['2026']));
      } catch (e) {
        release();
        throw e;
      }
      const { member, units, pace } = grant;
      if (member === null) return { release, units };
      const { key, logKey } = { key: this.key(account), logKey: this.logKey(account) };
      const short = pace.pacing.short;
      const margin = short?.marginMs ?? 0;
      // Still unanswered a quarter of a window after its grant: it counts as arriving now (quota-scripts.ts), again
      // every quarter window until its answer (a quarter: a timer late by a busy event loop still fires in time).
      const touch = setInterval(() => {
        this.redis.mailmirrorQuotaSettle(key, logKey, member, margin, 0).catch(() => undefined);
      }, (short?.windowMs ?? 1000) / 4);
      touch.unref();
      return {
        units,
        release: () => {
          clearInterval(touch);
          release();
          // Not awaited: the next grant need not wait for it. A lost settle leaves the entry counted from its grant
          // plus the margin (and its last touch), as if its answer had been among the fastest.
          this.redis.mailmirrorQuotaSettle(key, logKey, member, margin, 1).catch(() => undefined);
        },
      };
    } finally {
      releaseTurn?.();
    }
  }

  /**
   * Takes the units at the account's pace as it is at each try; returns them, that pace, and the log member of this
   * grant to settle at its answer (null when the short window is off).
   */
  private async take(
    account: string, unitsOf: (pace: Pace) => number, stats: QuotaStats, signal?: AbortSignal,
  ): Promise<{ member: string | null; units: number; pace: Pace }> {
    for (;;) {
      const pace = this.paceOf(account);
      const units = unitsOf(pace);
      if (pace.msPerUnit <= 0) {
        await this.waitUnpaced(account, stats, signal);
        return { member: null, units, pace };
      }
      const short = pace.pacing.short;
      const wait = await this.redis.mailmirrorQuotaAcquire(
        this.key(account), this.logKey(account), units, pace.msPerUnit, pace.burstMs, this.recoverMs, short?.windowMs ?? 0,
        short?.budget ?? 0, short?.marginMs ?? 0,
      );
      if (typeof wait === 'string') return { member: wait, units, pace };
      if (wait <= 0) return { member: null, units, pace };
      // Sleep exactly until the script says the units are there: no polling loop. Another process may take them
      // first; the script then says how long to wait next.
      await sleep(wait, signal);
      this.count(stats, 'waitedMs', wait);
    }
  }

  /** No pacing: only a rate-limit pause (recorded here or, seen within UNPACED_CHECK_MS, by another process) waits. */
  private async waitUnpaced(account: string, stats: QuotaStats, signal?: AbortSignal): Promise<void> {
    const p = this.localPause(account);
    for (;;) {
      let wait = p.until - Date.now();
      if (wait <= 0 && Date.now() - p.checkedAt >= UNPACED_CHECK_MS) {
        // One question in flight per account; everyone waiting meanwhile shares its answer.
        p.check ??= this.redis
          .mailmirrorQuotaAcquire(this.key(account), this.logKey(account), 0, 0, 0, this.recoverMs, 0, 0, 0)
          .then((w) => (typeof w === 'number' ? w : 0))
          .finally(() => {
            p.checkedAt = Date.now();
            p.check = undefined;
          });
        const left = await p.check;
        if (left > 0) p.until = Math.max(p.until, Date.now() + left);
        wait = p.until - Date.now();
      }
      if (wait <= 0) return;
      await sleep(wait, signal);
      this.count(stats, 'waitedMs', wait);
    }
  }

  private localPause(account: string): LocalPause {
    let p = this.pauses.get(account);
    if (!p) this.pauses.set(account, (p = { until: 0, checkedAt: 0 }));
    return p;
  }

  private turnFor(account: string): Turn {
    let t = this.turns.get(account);
    if (!t) this.turns.set(account, (t = new Turn()));
    return t;
  }

  /**
   * The probe ended with a rate-limit answer: pauses the account long enough at the `2026` pace to pay back what the
   * probe spent beyond it, and at least one short window: Gmail's moving second still holds the probe's requests
   * (counted at `legacy` prices in our log), and a resend within it was refused again (3 of 13 answers in a trace).
   */
  private async repay(account: string, excessUnits: number): Promise<void> {
    const pace = this.paces['2026'];
    if (pace.msPerUnit <= 0) return;
    const pauseMs = Math.max(excessUnits * pace.msPerUnit, pace.pacing.short?.windowMs ?? 0);
    if (pauseMs <= 0) return;
    const left = await this.redis.mailmirrorQuotaPenalize(this.key(account), pauseMs, 1, MIN_RATE_FACTOR, this.recoverMs, pace.burstMs);
    const p = this.localPause(account);
    p.until = Math.max(p.until, Date.now() + left);
  }

  private async penalize(account: string, error: GmailRateLimitError, attempt: number): Promise<void> {
    // Pause until max(Gmail's retry time, backoff with full jitter), never less than one backoff step so that a
    // 403 without a retry time does not bounce straight back.
    const pauseMs = Math.max(error.retryAfterMs ?? 0, this.backoff(attempt), this.backoffBaseMs);
    const factor = error.reason === 'concurrent' ? 1 : RATE_LIMIT_SLOWDOWN;
    const left = await this.redis.mailmirrorQuotaPenalize(this.key(account), pauseMs, factor, MIN_RATE_FACTOR, this.recoverMs, this.paceOf(account).burstMs);
    const p = this.localPause(account);
    p.until = Math.max(p.until, Date.now() + left);
  }

  private limitFor(account: string): InFlightLimit {
    let l = this.limits.get(account);
    if (!l) {
      l = new InFlightLimit(Math.max(1, this.opts.maxInFlight));
      this.limits.set(account, l);
    }
    return l;
  }

  private statsFor(account: string): QuotaStats {
    let s = this.perAccount.get(account);
    if (!s) {
      s = emptyStats();
      this.perAccount.set(account, s);
    }
    return s;
  }

  private count(stats: QuotaStats, field: keyof QuotaStats, n: number): void {
    stats[field] += n;
    this.total[field] += n;
  }
}
