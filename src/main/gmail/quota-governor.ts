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
import { AsyncLocalStorage } from 'node:async_hooks';
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

/**
 * Priority of the Gmail calls made inside `callPriority.run(p, fn)` (lower first). Calls outside it, and metadata
 * calls whatever the context, take the priority of their method (METHOD_PRIORITY).
 */
export const callPriority = new AsyncLocalStorage<number>();

/**
 * Metadata before everything, then a user's attachment (someone is waiting for it), then the sync's fetches in their
 * callers' order; fetches made outside any `callPriority` context come last.
 */
function priorityOf(method: GmailMethod): number {
  if (!DETAIL_METHODS.has(method)) return 0;
  if (method === 'messages.attachments.get') return 1;
  return callPriority.getStore() ?? Number.MAX_SAFE_INTEGER;
}

type Waiter = { priority: number; seq: number; weight: number; wake: () => void };

/** Waiters in (priority, arrival) order. Few at a time (a handful of jobs' requests): a sorted array is enough. */
class WaitQueue {
  private readonly items: Waiter[] = [];
  private seq = 0;

  get length(): number {
    return this.items.length;
  }

  push(priority: number, wake: () => void, weight = 1): Waiter {
    const w = { priority, seq: this.seq++, weight, wake };
    let i = this.items.length;
    while (i > 0 && this.items[i - 1].priority > priority) i--;
    this.items.splice(i, 0, w);
    return w;
  }

  remove(w: Waiter): void {
    const i = this.items.indexOf(w);
    if (i >= 0) this.items.splice(i, 1);
  }

  shift(): Waiter | undefined {
    return this.items.shift();
  }

  peek(): Waiter | undefined {
    return this.items[0];
  }
}

/** Waits in `queue` until woken (resolving with its entry), or rejects when the signal aborts (leaving the queue). */
function waitIn(queue: WaitQueue, priority: number, signal: AbortSignal | undefined, weight = 1): Promise<Waiter> {
  return new Promise<Waiter>((resolve, reject) => {
    const onAbort = (): void => {
      queue.remove(w);
      reject(signal?.reason);
    };
    const w = queue.push(priority, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve(w);
    }, weight);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

// Returns 0 when `units` were taken, else the milliseconds to wait before asking again (nothing is taken then).
// State, one hash per account: tat (GCRA theoretical arrival time, ms), pause (ms timestamp: everyone waits until
// then), factor/factorAt (rate multiplier after a rate-limit answer, and when it was set), wsum (units in the
// short window's log) and seq; plus the log itself, a sorted set of grants (score: time, member: "seq:units").
// Time is Redis' own TIME so that every process agrees on it.
// The log holds Gmail's per-second moving window exactly: a grant is refused while the grants of the last
// shortMs (one second plus the arrival-jitter margin) and this one would exceed shortBudget. GCRA alone bounds
// any interval t by rate x t + burst, which over one second is up to twice a second's budget.
// A grant enters the log as in flight (a score flightMs ahead: it counts as arriving now, whatever holds it between
// our grant and Gmail's metering) and is settled at its answer (SETTLE_LUA), which is no earlier than its arrival.
// Measured why: at the start of a paced pass the first requests reached Gmail ~100 ms after their grants, took
// the counted window past one second's budget, and drew two 429s every time.
// Returns a positive wait (nothing taken), 0 (taken, no log) or -seq (taken; its log member is "seq:units").
// KEYS[1] state, KEYS[2] log; ARGV: units, msPerUnit (0 = no pacing), burstMs, recoverMs, shortMs (0 = none),
// shortBudget, flightMs.
const ACQUIRE_LUA = `
if redis.replicate_commands then pcall(redis.replicate_commands) end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local s = redis.call('HMGET', KEYS[1], 'tat', 'pause', 'factor', 'factorAt', 'wsum')
local pause = tonumber(s[2]) or 0
if pause > now then return math.ceil(pause - now) end
local T = tonumber(ARGV[2])
if T <= 0 then return 0 end
local units = tonumber(ARGV[1])
local recover = tonumber(ARGV[4])
local shortMs = tonumber(ARGV[5])
local shortBudget = tonumber(ARGV[6])
local function unitsOf(m) return tonumber(string.sub(m, string.find(m, ':', 1, true) + 1)) end
local wsum = tonumber(s[5]) or 0
if shortMs > 0 then
  local old = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now - shortMs)
  if #old > 0 then
    for i = 1, #old do wsum = wsum - unitsOf(old[i]) end
    redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - shortMs)
    if wsum < 0.0005 then wsum = 0 end
    redis.call('HSET', KEYS[1], 'wsum', string.format('%.3f', wsum))
  end
  -- A call dearer than the whole short budget runs alone in its window, or it could never run.
  if wsum > 0 and wsum + units > shortBudget then
    local e = redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES')
    local freed = 0
    local at = now + shortMs
    for i = 1, #e, 2 do
      freed = freed + unitsOf(e[i])
      if wsum - freed + units <= shortBudget then
        local score = tonumber(e[i + 1])
        -- Still in flight: its answer will settle it soon; ask again shortly.
        if score > now then at = now + 25 else at = score + shortMs end
        break
      end
    end
    return math.max(1, math.ceil(at - now))
  end
end
local factor = tonumber(s[3]) or 1
if factor < 1 then
  factor = math.min(1, factor + (1 - factor) * (now - (tonumber(s[4]) or now)) / recover)
end
local cost = units * T / factor
local newTat = math.max(tonumber(s[1]) or 0, now) + cost
local allowAt = newTat - math.max(tonumber(ARGV[3]), cost)
if allowAt > now then return math.ceil(allowAt - now) end
redis.call('HSET', KEYS[1], 'tat', string.format('%.3f', newTat))
redis.call('PEXPIRE', KEYS[1], math.ceil(newTat - now + recover) + 60000)
if shortMs > 0 then
  local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
  local flight = tonumber(ARGV[7])
  redis.call('ZADD', KEYS[2], string.format('%.3f', now + flight), seq .. ':' .. units)
  redis.call('HSET', KEYS[1], 'wsum', string.format('%.3f', wsum + units))
  redis.call('PEXPIRE', KEYS[2], math.ceil(flight + shortMs) + 60000)
  return -seq
end
return 0
`;

// A request of the log has its answer: from now on it counts from this moment (no earlier than its arrival).
// KEYS[1] log; ARGV: member.
const SETTLE_LUA = `
if redis.replicate_commands then pcall(redis.replicate_commands) end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then redis.call('ZADD', KEYS[1], 'XX', string.format('%.3f', now), ARGV[1]) end
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
  mailmirrorQuotaAcquire(
    key: string, logKey: string, units: number, msPerUnit: number, burstMs: number, recoverMs: number, shortMs: number,
    shortBudget: number, flightMs: number,
  ): Promise<number>;
  mailmirrorQuotaSettle(logKey: string, member: string): Promise<number>;
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
  /**
   * Gmail's short moving window: the per-minute budget also holds per second ("moving average"), i.e. at most
   * windowMs/60 ms' worth of it in any such interval. Default windowMs / 60 (1 s); 0 = the minute only.
   */
  shortWindowMs?: number;
  /**
   * A margin on the short window: grants are counted over shortWindowMs plus this (they count from their grant until
   * their answer as arriving "now", then from their answer, never earlier than they arrived). Default 2% (20 ms).
   */
  shortJitterMs?: number;
};

export type QuotaStats = { calls: number; units: number; rateLimited: number; retries: number; waitedMs: number };

/** The bulk of a sync; every other call is cheap and something waits on it, so it goes first. */
const DETAIL_METHODS: ReadonlySet<GmailMethod> = new Set(['messages.get', 'threads.get', 'messages.attachments.get']);

/**
 * The pacing a governor with these options runs at (the same in every process): units per window at full rate
 * (0 = unpaced) and the burst it tolerates. A caller may group calls into one (Gmail's batch endpoint) up to
 * `burstUnits` without lowering the rate or breaking the window bound.
 */
export function governorPacing(
  opts: Pick<QuotaGovernorOptions, 'profile' | 'scale' | 'windowMs' | 'maxCallUnits' | 'jitterMs' | 'shortWindowMs' | 'shortJitterMs'>,
): { unitsPerWindow: number; burstUnits: number; windowMs: number; short: { windowMs: number; countedMs: number; budget: number } | null } {
  const profile = QUOTA_PROFILES[opts.profile];
  const windowMs = opts.windowMs ?? 60_000;
  const budget = profile.unitsPerMinute * opts.scale;
  if (!(budget > 0)) return { unitsPerWindow: 0, burstUnits: 0, windowMs, short: null };
  const costliest = Math.max(...Object.values(profile.costs), opts.maxCallUnits ?? 0);
  const shortMs = opts.shortWindowMs ?? windowMs / 60;
  if (shortMs > 0 && shortMs < windowMs) {
    // Gmail's per-second moving window. The log (ACQUIRE_LUA) counts grants over the window plus the jitter
    // margin, which bounds arrivals in any window by its budget; over a minute that is at most
    // ceil(60 / 1.05) = 58 seconds' worth, inside the minute's budget, so the minute needs no margin of its own.
    // GCRA then runs at the log's average rate, to spread grants evenly, with a burst of half a second's budget
    // (at least the costliest call): batches of that size leave room for the metadata calls in between.
    const shortJitterMs = opts.shortJitterMs ?? shortMs * 0.02;
    const shortBudget = (budget * shortMs) / windowMs;
    const countedMs = shortMs + shortJitterMs;
    return {
      // A logged grant counts until its answer and then a counted window more: GCRA allows for answers taking ~3% of
      // the window (30 ms) so that it does not outrun the log, which would turn its pacing into bursts and waits.
      unitsPerWindow: (shortBudget * windowMs) / (countedMs + shortMs * 0.03),
      burstUnits: Math.min(shortBudget, Math.max(shortBudget / 2, costliest)) || costliest,
      windowMs,
      short: { windowMs: shortMs, countedMs, budget: shortBudget },
    };
  }
  const burstUnits = Math.max(budget / 60, costliest);
  // Gmail meters arrivals, not our grants: a request granted at t arrives at t + delay, and when that delay
  // varies by up to J the grants inside any arrival window span W + J. Hence (budget - burst) x W / (W + J).
  // A budget so small that the costliest call is a big part of it (tiny test scales) still keeps the bound,
  // at the price of throughput; never let the rate reach zero.
  const jitterMs = opts.jitterMs ?? DEFAULT_JITTER_MS;
  const rate = Math.max(
    Math.min(QUOTA_SAFETY * budget, ((budget - burstUnits) * windowMs) / (windowMs + jitterMs)),
    (QUOTA_SAFETY * budget) / 4,
  );
  return { unitsPerWindow: rate, burstUnits, windowMs, short: null };
}

const emptyStats = (): QuotaStats => ({ calls: 0, units: 0, rateLimited: 0, retries: 0, waitedMs: 0 });

/**
 * A counting semaphore served in priority order, whose limit can be lowered for a while (Gmail's "too many
 * concurrent requests"). A request may take several slots (a batch: one per part, at most all of them).
 */
class InFlightLimit {
  private active = 0;
  private readonly waiters = new WaitQueue();
  constructor(private limit: number) {}

  async acquire(priority: number, signal?: AbortSignal, weight = 1): Promise<() => void> {
    if (signal?.aborted) throw abortReason(signal);
    let taken = Math.max(1, Math.min(weight, this.limit));
    if (this.waiters.length === 0 && this.fits(taken)) {
      this.active += taken;
    } else {
      // drain() counts the slots as taken (and records how many in our entry) before waking us, so no later
      // arrival can take them meanwhile.
      taken = (await waitIn(this.waiters, priority, signal, weight)).weight;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active -= taken;
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

  private fits(n: number): boolean {
    return this.active === 0 || this.active + n <= this.limit;
  }

  private drain(): void {
    for (let head = this.waiters.peek(); head; head = this.waiters.peek()) {
      const n = Math.max(1, Math.min(head.weight, this.limit));
      if (!this.fits(n)) break;
      this.waiters.shift();
      this.active += n;
      head.weight = n;
      head.wake();
    }
  }
}

/** One holder at a time, handed over in priority order: who may ask Redis for units next. */
class Turn {
  private busy = false;
  private readonly waiters = new WaitQueue();

  async acquire(priority: number, signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) throw abortReason(signal);
    if (!this.busy && this.waiters.length === 0) this.busy = true;
    else await waitIn(this.waiters, priority, signal);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) next.wake();
      else this.busy = false;
    };
  }
}

/** What this process knows of an account's pause without asking Redis (unpaced mode). */
type LocalPause = { until: number; checkedAt: number; check?: Promise<number> };

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
    // defineCommand sends EVALSHA and falls back to EVAL on NOSCRIPT (e.g. after redis-server restarted).
    redis.defineCommand('mailmirrorQuotaAcquire', { numberOfKeys: 2, lua: ACQUIRE_LUA });
    redis.defineCommand('mailmirrorQuotaSettle', { numberOfKeys: 1, lua: SETTLE_LUA });
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
   * GmailError subclass. Units of a failed call are not refunded: Gmail charges them. `units` of k times the
   * method's cost stand for a batch of k parts of that method, which takes k in-flight slots (at most all) when
   * paced: Gmail may run the parts as concurrent requests of the user.
   */
  async call<T>(
    account: string,
    method: GmailMethod,
    fn: () => Promise<T>,
    opts: { units?: number; signal?: AbortSignal } = {},
  ): Promise<T> {
    const units = opts.units ?? this.profile.costs[method];
    // More units than the method costs: a batch of that many parts.
    const parts = Math.max(1, Math.round(units / Math.max(1, this.profile.costs[method])));
    const { signal } = opts;
    const stats = this.statsFor(account);
    const limit = this.limitFor(account);
    const priority = priorityOf(method);
    for (let attempt = 1; ; attempt++) {
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
