// Every Gmail call goes through the quota governor: it paces quota units per account across every worker process
// (state in Redis), bounds requests in flight per account in this process, and owns retries of rate-limit and
// transient failures. Gmail's limits: https://developers.google.com/workspace/gmail/api/reference/quota
//
// Why not rate-limiter-flexible or BullMQ's limiter (DESIGN.md asks for a maintained limiter "unless measurements
// show it cannot reach the ceiling"): both count in fixed windows. Measured with rate-limiter-flexible 11.4's
// RateLimiterRedis on a real redis-server, messages.get (20 units) under the `2026` profile (6,000 units/min):
// - a 1 s window of one second's budget less 3% (97 points) admits 4 calls = 80 units per window, because the
//   17-unit remainder cannot carry over: 79.4 units/s, 0.79 of the ceiling;
// - a window of the whole minute's budget (time compressed 20x) reaches the ceiling on average, but a caller
//   consuming as fast as allowed spends one budget at the end of a window and the next at the start of the
//   following one: 10,440 units in one sliding window, 1.74x the budget, which Gmail answers with 429s.
// BullMQ's limiter also counts jobs, not units. So the governor runs its own limiter in one Lua script, atomic in
// Redis and shared by every process. Gmail holds the per-user budget both per minute and as a per-second moving
// window ("250 quota units per user per second, moving average" for the legacy table; an independent emulator
// that holds both answered 43 rate-limit errors to GCRA alone, which admits up to twice a second's budget in one
// second). Two parts:
// - a log of the grants of the last second (plus a 2% margin): a grant is refused while it would take that log over
//   one second's budget (budget / 60). A grant counts as arriving "now" until its answer, then from its answer,
//   so however long a request is held between our grant and Gmail's metering (a blocked event loop, a first
//   connection) it is never counted earlier than it arrived. Over a minute that admits at most 59 seconds' worth,
//   so the minute holds too;
// - GCRA (the generic cell rate algorithm: a token bucket kept as one timestamp, the "theoretical arrival time")
//   at about the log's average rate, budget / 60 / 1.05 per second = 0.952 of the ceiling, with a burst of half a
//   second's budget (at least the costliest call), so grants are spread evenly instead of a second's budget at
//   once then a pause; it also carries the slowdown after a rate-limit answer.
// Measured by test/integration/governor-quota.test.ts (two processes against a stand-in that holds both windows: no
// 429, never over a second's budget in any second) and `npm run bench` (our emulator holds both windows).
// With the short window off (shortWindowMs: 0; tests that compress the minute) the older minute-only pacing applies:
//   rate = min(0.98 x budget, (budget - burst) x W / (W + jitter)) units per window W (60 s; jitter 250 ms),
//   burst tolerance = one second's worth of budget, and at least the costliest single call.
//
// Order inside a process (issue 8, measured by `npm run bench`): calls wait for a slot and for units in priority
// order, lowest first, FIFO among equals. Cheap metadata calls (labels, profile, listing, history) go first: labels
// with counts must show within seconds and the listing decides what the rest costs, so neither may queue behind a
// backlog of message fetches. Fetches take the priority their caller sets with `callPriority.run(p, …)` (the
// message-batch processor: the job's BullMQ priority, then the order jobs started), so a job's messages arrive
// together instead of every job's trickling in round-robin. Only the head of that queue asks Redis for units; the
// others wait locally, so Redis sees one acquisition at a time per account and process instead of a thundering
// herd of retries.
//
// Parts: the Lua scripts that hold the shared state (quota-scripts.ts), the rate and burst for a profile
// (quota-pacing.ts), the in-process order and in-flight slots (quota-order.ts); this file runs calls through them and
// owns the retry policy for one request's answers.
import type { Redis } from 'ioredis';
import { QUOTA_PROFILES, type GmailMethod, type QuotaProfile } from '../../shared/gmail-quota';
import { classifyGmailError, GmailAuthError, GmailRateLimitError, type GmailError } from './errors';
import { abortReason, InFlightLimit, priorityOf, sleep, Turn } from './quota-order';
import { governorPacing, type PacingOptions } from './quota-pacing';
import { defineQuotaScripts, type GovernorRedis } from './quota-scripts';

export { callPriority } from './quota-order';
export { DEFAULT_JITTER_MS, governorPacing, QUOTA_SAFETY } from './quota-pacing';

/** After a rate-limit answer the account's rate is multiplied by this, recovering linearly over one window. */
export const RATE_LIMIT_SLOWDOWN = 0.7;
const MIN_RATE_FACTOR = 0.1;
const MAX_BACKOFF_MS = 32_000;
/**
 * How long a granted request counts as arriving "now" in the short window's log when its answer never settles it
 * (its process died): the default request timeout. Then it counts from that moment, for one more window.
 */
const FLIGHT_MS = 60_000;
/**
 * Unpaced (scale 0: emulators, benchmarks), a process asks Redis whether another one recorded a rate-limit pause at
 * most this often per account instead of once per call (a round trip that measured 5% of a quota-off sync's CPU).
 * A pause recorded here is known at once; one recorded elsewhere is seen within this delay.
 */
const UNPACED_CHECK_MS = 50;

export type QuotaGovernorOptions = PacingOptions & {
  /** Requests in flight per account in this process. */
  maxInFlight: number;
  /** Prefix of the Redis keys (one hash per account). */
  keyPrefix: string;
  /** Tries per call before the classified error is thrown (BullMQ's job attempts are the last resort). Default 6. */
  maxAttempts?: number;
  /** First backoff step; doubles per attempt up to 32 s, full jitter. Default 500 ms. */
  backoffBaseMs?: number;
};

export type CallOptions = {
  /** Units the call costs (default: the method's); k times the method's cost is a batch of k parts. */
  units?: number;
  signal?: AbortSignal;
  /**
   * The request was sent already, as a part of a batch (Gmail answers each part on its own), and answered with this
   * error: that was its first attempt. Whether and when it goes again is decided as for any answer.
   */
  answeredInBatch?: GmailError;
};

type RetryState = { tokenRetried: boolean };

export type QuotaStats = { calls: number; units: number; rateLimited: number; retries: number; waitedMs: number };

const emptyStats = (): QuotaStats => ({ calls: 0, units: 0, rateLimited: 0, retries: 0, waitedMs: 0 });

/** What this process knows of an account's pause without asking Redis (unpaced mode). */
type LocalPause = { until: number; checkedAt: number; check?: Promise<number> };

export class QuotaGovernor {
  private readonly redis: GovernorRedis;
  private readonly profile: QuotaProfile;
  private readonly maxAttempts: number;
  private readonly backoffBaseMs: number;
  private readonly windowMs: number;
  /** ms of budget per unit at the full rate; 0 = no pacing. */
  private readonly msPerUnit: number;
  /** GCRA burst tolerance, in ms at the full rate. */
  private readonly burstMs: number;
  /** Units per window the governor paces to at full rate (0 = unpaced) and the burst it allows: for ETAs. */
  readonly pacing: ReturnType<typeof governorPacing>;
  private readonly limits = new Map<string, InFlightLimit>();
  private readonly turns = new Map<string, Turn>();
  private readonly pauses = new Map<string, LocalPause>();
  private readonly perAccount = new Map<string, QuotaStats>();
  private readonly total = emptyStats();

  constructor(redis: Redis, private readonly opts: QuotaGovernorOptions) {
    this.profile = QUOTA_PROFILES[opts.profile];
    this.maxAttempts = Math.max(1, opts.maxAttempts ?? 6);
    this.backoffBaseMs = opts.backoffBaseMs ?? 500;
    this.windowMs = opts.windowMs ?? 60_000;
    this.pacing = governorPacing(opts);
    this.msPerUnit = this.pacing.unitsPerWindow > 0 ? this.windowMs / this.pacing.unitsPerWindow : 0;
    this.burstMs = this.pacing.burstUnits * this.msPerUnit;
    this.redis = defineQuotaScripts(redis);
  }


  /** The unit cost of `method` under this governor's profile. */
  cost(method: GmailMethod): number {
    return this.profile.costs[method];
  }

  /**
   * Takes `units` (default: the method's cost) for the account, waits for a free in-flight slot, runs fn, classifies
   * errors, and retries by the one retry policy of a Gmail request (see retryAfter). Units of a failed call are not
   * refunded: Gmail charges them. `units` of k times the method's cost stand for a batch of k parts of that method,
   * which takes k in-flight slots (at most all) when paced: Gmail may run the parts as concurrent requests of the user.
   */
  async call<T>(account: string, method: GmailMethod, fn: () => Promise<T>, opts: CallOptions = {}): Promise<T> {
    const units = opts.units ?? this.profile.costs[method];
    // More units than the method costs: a batch of that many parts.
    const parts = Math.max(1, Math.round(units / Math.max(1, this.profile.costs[method])));
    const { signal } = opts;
    const stats = this.statsFor(account);
    const limit = this.limitFor(account);
    const priority = priorityOf(method);
    const state: RetryState = { tokenRetried: false };
    let attempt = 1;
    if (opts.answeredInBatch) {
      // Its first attempt was a part of a batch: the answer is weighed like any other, within the same attempts.
      await this.retryAfter(account, opts.answeredInBatch, attempt, state, { stats, limit, signal, inBatch: true });
      attempt++;
    }
    for (; ; attempt++) {
      if (signal?.aborted) throw abortReason(signal);
      // The slot is taken before the units, so a request leaves as soon as its units are granted: units taken and
      // then held while waiting for a slot would reach Gmail later, bunched, and break the sliding-window bound.
      // Paced, the turn to ask for units is taken before the slot (in priority order): the queue of fetches waiting
      // for units then holds no slot but the head's, and a metadata call, which skips that queue (a few units that
      // GCRA grants within milliseconds), finds a free slot instead of waiting for a fetch to complete.
      const release = await this.slotAndUnits(account, units, parts, priority, limit, stats, signal);
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
      if (outcome.ok) return outcome.value;
      await this.retryAfter(account, outcome.error, attempt, state, { stats, limit, signal, inBatch: false });
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
    ctx: { stats: QuotaStats; limit: InFlightLimit; signal?: AbortSignal; inBatch: boolean },
  ): Promise<void> {
    const { stats, limit, signal } = ctx;
    if (error instanceof GmailRateLimitError) {
      this.count(stats, 'rateLimited', 1);
      // Recorded even on the last attempt: Gmail's answer concerns every process using this account. Not for a part of
      // a batch: its parts are answered together, one episode, recorded if the part's own resend is refused again.
      if (!ctx.inBatch) {
        await this.penalize(account, error, attempt);
        if (error.reason === 'concurrent') limit.lower(this.windowMs);
      }
    }
    if (error instanceof GmailAuthError && error.status === 401) {
      if (state.tokenRetried) throw error;
      state.tokenRetried = true;
      this.count(stats, 'retries', 1);
      return;
    }
    if (!error.retryable || attempt >= this.maxAttempts) throw error;
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

  /** A slot, then the units; returns the slot's release. */
  private async slotAndUnits(
    account: string, units: number, parts: number, priority: number, limit: InFlightLimit, stats: QuotaStats,
    signal?: AbortSignal,
  ): Promise<() => void> {
    const paced = this.msPerUnit > 0;
    const releaseTurn = paced && priority > 0 ? await this.turnFor(account).acquire(priority, signal) : undefined;
    try {
      // Unpaced (scale 0) is for emulators only, and the emulator counts a batch as one request in flight; one slot
      // per part there serialized batches and measured 40% slower (issue 8).
      const release = await limit.acquire(priority, signal, paced ? parts : 1);
      let member: string | null;
      try {
        member = await this.take(account, units, stats, signal);
      } catch (e) {
        release();
        throw e;
      }
      if (member === null) return release;
      const logKey = this.logKey(account);
      return () => {
        release();
        // Not awaited: the next grant need not wait for it, and a lost settle only keeps the units counted until
        // FLIGHT_MS has passed.
        this.redis.mailmirrorQuotaSettle(logKey, member).catch(() => undefined);
      };
    } finally {
      releaseTurn?.();
    }
  }

  /** Takes the units; returns the log member of this grant to settle at its answer, if the short window is on. */
  private async take(account: string, units: number, stats: QuotaStats, signal?: AbortSignal): Promise<string | null> {
    if (this.msPerUnit <= 0) {
      await this.waitUnpaced(account, stats, signal);
      return null;
    }
    for (;;) {
      const short = this.pacing.short;
      const wait = await this.redis.mailmirrorQuotaAcquire(
        this.key(account), this.logKey(account), units, this.msPerUnit, this.burstMs, this.windowMs, short?.countedMs ?? 0,
        short?.budget ?? 0, FLIGHT_MS,
      );
      if (wait < 0) return `${-wait}:${units}`;
      if (wait === 0) return null;
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
          .mailmirrorQuotaAcquire(this.key(account), this.logKey(account), 0, 0, 0, this.windowMs, 0, 0, 0)
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

  private async penalize(account: string, error: GmailRateLimitError, attempt: number): Promise<void> {
    // Pause until max(Gmail's retry time, backoff with full jitter), never less than one backoff step so that a
    // 403 without a retry time does not bounce straight back.
    const pauseMs = Math.max(error.retryAfterMs ?? 0, this.backoff(attempt), this.backoffBaseMs);
    const factor = error.reason === 'concurrent' ? 1 : RATE_LIMIT_SLOWDOWN;
    const left = await this.redis.mailmirrorQuotaPenalize(this.key(account), pauseMs, factor, MIN_RATE_FACTOR, this.windowMs, this.burstMs);
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
