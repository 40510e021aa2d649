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
// BullMQ's limiter also counts jobs, not units. So the governor runs GCRA (the generic cell rate algorithm: a token
// bucket kept as one timestamp, the "theoretical arrival time") in one Lua script, atomic in Redis and shared by
// every process:
//   emission interval T = windowMs / rate,
//   rate = min(0.98 x budget, (budget - burst) x W / (W + jitter)) units per window W (60 s; jitter 250 ms),
//   burst tolerance = one second's worth of budget, and at least the costliest single call,
// which bounds the units admitted in ANY interval of length W by rate x W + burst: at most the budget over any
// sliding minute even when requests reach Gmail up to 250 ms late relative to each other, about two seconds'
// worth over any one second, while the steady rate stays at 0.979 of the ceiling. Measured by
// test/integration/governor-quota.test.ts (two processes, time compressed 15x): no window over the budget, no 429,
// 0.97 of the ceiling.
import { setTimeout as sleepTimer } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { QUOTA_PROFILES, type GmailMethod, type QuotaProfile, type QuotaProfileName } from '../../shared/gmail-quota';
import { classifyGmailError, GmailRateLimitError, type GmailError } from './errors';

/** Fraction of Gmail's budget the governor aims at, leaving room for clock skew and latency jitter. */
export const QUOTA_SAFETY = 0.98;
/** After a rate-limit answer the account's rate is multiplied by this, recovering linearly over one window. */
export const RATE_LIMIT_SLOWDOWN = 0.7;
const MIN_RATE_FACTOR = 0.1;
/** Variation of the delay between our grant and Gmail's metering of a request that the pacing absorbs. */
export const DEFAULT_JITTER_MS = 250;
const MAX_BACKOFF_MS = 32_000;

// Returns 0 when `units` were taken, else the milliseconds to wait before asking again (nothing is taken then).
// State, one hash per account: tat (GCRA theoretical arrival time, ms), pause (ms timestamp: everyone waits until
// then), factor/factorAt (rate multiplier after a rate-limit answer, and when it was set). Time is Redis' own
// TIME so that every process agrees on it.
// KEYS[1] state; ARGV: units, msPerUnit (0 = no pacing), burstMs, recoverMs.
const ACQUIRE_LUA = `
if redis.replicate_commands then pcall(redis.replicate_commands) end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local s = redis.call('HMGET', KEYS[1], 'tat', 'pause', 'factor', 'factorAt')
local pause = tonumber(s[2]) or 0
if pause > now then return math.ceil(pause - now) end
local T = tonumber(ARGV[2])
if T <= 0 then return 0 end
local recover = tonumber(ARGV[4])
local factor = tonumber(s[3]) or 1
if factor < 1 then
  factor = math.min(1, factor + (1 - factor) * (now - (tonumber(s[4]) or now)) / recover)
end
local cost = tonumber(ARGV[1]) * T / factor
local newTat = math.max(tonumber(s[1]) or 0, now) + cost
local allowAt = newTat - math.max(tonumber(ARGV[3]), cost)
if allowAt > now then return math.ceil(allowAt - now) end
redis.call('HSET', KEYS[1], 'tat', string.format('%.3f', newTat))
redis.call('PEXPIRE', KEYS[1], math.ceil(newTat - now + recover) + 60000)
return 0
`;

// Records a rate-limit answer: pause everyone until now + pauseMs (never shortening a pause already set), lower
// the rate (once per episode: answers to requests that were already in flight do not compound it), and restart
// the bucket empty after the pause so the first second after it is not a burst. Returns the pause left, in ms.
// KEYS[1] state; ARGV: pauseMs, factorMul, minFactor, recoverMs, burstMs.
const PENALIZE_LUA = `
if redis.replicate_commands then pcall(redis.replicate_commands) end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local s = redis.call('HMGET', KEYS[1], 'tat', 'pause', 'factor', 'factorAt')
local recover = tonumber(ARGV[4])
local prevPause = tonumber(s[2]) or 0
local factor = tonumber(s[3]) or 1
if factor < 1 then
  factor = math.min(1, factor + (1 - factor) * (now - (tonumber(s[4]) or now)) / recover)
end
if now >= prevPause then factor = math.max(tonumber(ARGV[3]), factor * tonumber(ARGV[2])) end
local pauseUntil = math.max(prevPause, now + tonumber(ARGV[1]))
local tat = math.max(tonumber(s[1]) or 0, pauseUntil + tonumber(ARGV[5]))
redis.call('HSET', KEYS[1], 'tat', string.format('%.3f', tat), 'pause', string.format('%.3f', pauseUntil),
  'factor', tostring(factor), 'factorAt', string.format('%.3f', now))
redis.call('PEXPIRE', KEYS[1], math.ceil(tat - now + recover) + 60000)
return math.ceil(pauseUntil - now)
`;

type GovernorRedis = Redis & {
  mailmirrorQuotaAcquire(key: string, units: number, msPerUnit: number, burstMs: number, recoverMs: number): Promise<number>;
  mailmirrorQuotaPenalize(
    key: string, pauseMs: number, factorMul: number, minFactor: number, recoverMs: number, burstMs: number,
  ): Promise<number>;
};

export type QuotaGovernorOptions = {
  profile: QuotaProfileName;
  /** Multiplies the per-minute budget (emulators with a scaled quota); 0 = no pacing (pauses still honoured). */
  scale: number;
  /** Requests in flight per account in this process. */
  maxInFlight: number;
  /** Prefix of the Redis keys (one hash per account). */
  keyPrefix: string;
  /** Tries per call before the classified error is thrown (BullMQ's job attempts are the last resort). Default 6. */
  maxAttempts?: number;
  /** First backoff step; doubles per attempt up to 32 s, full jitter. Default 500 ms. */
  backoffBaseMs?: number;
  /**
   * Length of Gmail's quota window, 60 s. Tests and benchmarks may compress time with it: the budget then applies
   * per `windowMs`, and the burst (1/60 of it) and rate recovery scale along.
   */
  windowMs?: number;
  /**
   * Units of the largest single call (a batch of k messages.get is k x 20 units under `2026`). The burst is at
   * least this, so the window bound holds for it; a call larger than the burst is let through only when the
   * bucket is idle and may overdraw a window by the excess. Costs throughput: the rate is (budget - burst) per
   * window. Default: the costliest single method (threads.get).
   */
  maxCallUnits?: number;
  /** How much the grant-to-arrival delay may vary without overdrawing a window (absolute ms). Default 250. */
  jitterMs?: number;
};

export type QuotaStats = { calls: number; units: number; rateLimited: number; retries: number; waitedMs: number };

const emptyStats = (): QuotaStats => ({ calls: 0, units: 0, rateLimited: 0, retries: 0, waitedMs: 0 });

/** A FIFO counting semaphore whose limit can be lowered for a while (Gmail's "too many concurrent requests"). */
class InFlightLimit {
  private active = 0;
  private readonly waiters: Array<() => void> = [];
  constructor(private limit: number) {}

  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) throw abortReason(signal);
    if (this.active < this.limit && this.waiters.length === 0) {
      this.active++;
    } else {
      // drain() counts the slot as taken before waking us, so no later arrival can take it meanwhile.
      await new Promise<void>((resolve, reject) => {
        const wake = (): void => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = (): void => {
          const i = this.waiters.indexOf(wake);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(signal?.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        this.waiters.push(wake);
      });
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.drain();
    };
  }

  /** One slot fewer (never below 1) for `ms`. */
  lower(ms: number): void {
    if (this.limit <= 1) return;
    this.limit--;
    setTimeout(() => {
      this.limit++;
      this.drain();
    }, ms).unref();
  }

  private drain(): void {
    while (this.active < this.limit && this.waiters.length > 0) {
      this.active++;
      this.waiters.shift()?.();
    }
  }
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new Error('aborted');
}

async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return;
  try {
    await sleepTimer(ms, undefined, { signal });
  } catch (e) {
    if (signal?.aborted) throw abortReason(signal);
    throw e;
  }
}

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
  readonly pacing: { unitsPerWindow: number; burstUnits: number; windowMs: number };
  private readonly limits = new Map<string, InFlightLimit>();
  private readonly perAccount = new Map<string, QuotaStats>();
  private readonly total = emptyStats();

  constructor(redis: Redis, private readonly opts: QuotaGovernorOptions) {
    this.profile = QUOTA_PROFILES[opts.profile];
    this.maxAttempts = Math.max(1, opts.maxAttempts ?? 6);
    this.backoffBaseMs = opts.backoffBaseMs ?? 500;
    this.windowMs = opts.windowMs ?? 60_000;
    const budget = this.profile.unitsPerMinute * opts.scale;
    if (budget > 0) {
      const costliest = Math.max(...Object.values(this.profile.costs), opts.maxCallUnits ?? 0);
      const burstUnits = Math.max(budget / 60, costliest);
      // Gmail meters arrivals, not our grants: a request granted at t arrives at t + delay, and when that delay
      // varies by up to J the grants inside any arrival window span W + J. Hence (budget - burst) x W / (W + J).
      // A budget so small that the costliest call is a big part of it (tiny test scales) still keeps the bound,
      // at the price of throughput; never let the rate reach zero.
      const jitterMs = opts.jitterMs ?? DEFAULT_JITTER_MS;
      const rate = Math.max(
        Math.min(QUOTA_SAFETY * budget, ((budget - burstUnits) * this.windowMs) / (this.windowMs + jitterMs)),
        (QUOTA_SAFETY * budget) / 4,
      );
      this.msPerUnit = this.windowMs / rate;
      this.burstMs = burstUnits * this.msPerUnit;
      this.pacing = { unitsPerWindow: rate, burstUnits, windowMs: this.windowMs };
    } else {
      this.msPerUnit = 0;
      this.burstMs = 0;
      this.pacing = { unitsPerWindow: 0, burstUnits: 0, windowMs: this.windowMs };
    }
    // defineCommand sends EVALSHA and falls back to EVAL on NOSCRIPT (e.g. after redis-server restarted).
    redis.defineCommand('mailmirrorQuotaAcquire', { numberOfKeys: 1, lua: ACQUIRE_LUA });
    redis.defineCommand('mailmirrorQuotaPenalize', { numberOfKeys: 1, lua: PENALIZE_LUA });
    this.redis = redis as GovernorRedis;
  }


  /** The unit cost of `method` under this governor's profile. */
  cost(method: GmailMethod): number {
    return this.profile.costs[method];
  }

  /**
   * Takes `units` (default: the method's cost) for the account, waits for a free in-flight slot, runs fn, classifies
   * errors. Rate-limit and transient failures are retried up to maxAttempts; others are thrown at once as a
   * GmailError subclass. Units of a failed call are not refunded: Gmail charges them.
   */
  async call<T>(
    account: string,
    method: GmailMethod,
    fn: () => Promise<T>,
    opts: { units?: number; signal?: AbortSignal } = {},
  ): Promise<T> {
    const units = opts.units ?? this.profile.costs[method];
    const { signal } = opts;
    const stats = this.statsFor(account);
    const limit = this.limitFor(account);
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw abortReason(signal);
      // The slot is taken before the units, so a request leaves as soon as its units are granted: units taken and
      // then held while waiting for a slot would reach Gmail later, bunched, and break the sliding-window bound.
      const release = await limit.acquire(signal);
      let outcome: { ok: true; value: T } | { ok: false; error: GmailError };
      try {
        await this.take(account, units, stats, signal);
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
      const error = outcome.error;
      if (error instanceof GmailRateLimitError) {
        this.count(stats, 'rateLimited', 1);
        // Recorded even on the last attempt: Gmail's answer concerns every process using this account.
        await this.penalize(account, error, attempt);
        if (error.reason === 'concurrent') limit.lower(this.windowMs);
      }
      if (!error.retryable || attempt >= this.maxAttempts) throw error;
      this.count(stats, 'retries', 1);
      if (!(error instanceof GmailRateLimitError)) {
        const ms = this.backoff(attempt);
        await sleep(ms, signal);
        this.count(stats, 'waitedMs', ms);
      }
      // After a rate-limit answer the pause lives in Redis: the next take() waits for it, in every process.
    }
  }

  stats(account?: string): QuotaStats {
    return { ...(account === undefined ? this.total : (this.perAccount.get(account) ?? emptyStats())) };
  }

  private key(account: string): string {
    // The hash tag keeps an account's keys in one slot should the Redis ever be a cluster.
    return `${this.opts.keyPrefix}:quota:{${account}}`;
  }

  private backoff(attempt: number): number {
    return Math.random() * Math.min(MAX_BACKOFF_MS, this.backoffBaseMs * 2 ** (attempt - 1));
  }

  private async take(account: string, units: number, stats: QuotaStats, signal?: AbortSignal): Promise<void> {
    for (;;) {
      const wait = await this.redis.mailmirrorQuotaAcquire(this.key(account), units, this.msPerUnit, this.burstMs, this.windowMs);
      if (wait <= 0) return;
      // Sleep exactly until the script says the units are there: no polling loop. Waiters that wake together and
      // lose the race get the next wait from the script.
      await sleep(wait, signal);
      this.count(stats, 'waitedMs', wait);
    }
  }

  private async penalize(account: string, error: GmailRateLimitError, attempt: number): Promise<void> {
    // Pause until max(Gmail's retry time, backoff with full jitter), never less than one backoff step so that a
    // 403 without a retry time does not bounce straight back.
    const pauseMs = Math.max(error.retryAfterMs ?? 0, this.backoff(attempt), this.backoffBaseMs);
    const factor = error.reason === 'concurrent' ? 1 : RATE_LIMIT_SLOWDOWN;
    await this.redis.mailmirrorQuotaPenalize(this.key(account), pauseMs, factor, MIN_RATE_FACTOR, this.windowMs, this.burstMs);
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
