// The governor's state lives in Redis and changes only inside these Lua scripts, so that every process sharing an
// account agrees on it atomically (see quota-governor.ts for the design, quota-pacing.ts for the numbers).
//
// Why not rate-limiter-flexible or BullMQ's limiter: both count in fixed windows. Measured with
// rate-limiter-flexible 11.4's RateLimiterRedis on a real redis-server, messages.get (20 units) under the `2026` profile (6,000 units/min):
// - a 1 s window of one second's budget less 3% (97 points) admits 4 calls = 80 units per window, because the
//   17-unit remainder cannot carry over: 79.4 units/s, 0.79 of the ceiling;
// - a window of the whole minute's budget (time compressed 20x) reaches the ceiling on average, but a caller
//   consuming as fast as allowed spends one budget at the end of a window and the next at the start of the
//   following one: 10,440 units in one sliding window, 1.74x the budget, which Gmail answers with 429s.
import type { Redis } from 'ioredis';

/** How fast the fastest-round-trip estimate may grow from 0 at first (ms per ms): 5 ms per second. */
const RTT_WARMUP = 0.005;

// Returns 0 when `units` were taken, else the milliseconds to wait before asking again (nothing is taken then).
// State, one hash per account: tat (GCRA theoretical arrival time, ms), pause (ms timestamp: everyone waits until
// then), factor/factorAt (rate multiplier after a rate-limit answer, and when it was set), wsum (units in the
// short window's log), seq, and minRtt/rttSince (the fastest grant-to-answer time, and since when it is measured:
// SETTLE_LUA); plus the log itself, a sorted set of grants (score: when it may reach Gmail at the latest, as far as we know; member:
// "seq:units:grantedAt"). Time is Redis' own TIME so that every process agrees on it.
// The log holds Gmail's per-second moving window: a grant is refused while the units of the log's live entries
// (score within the last shortMs) and its own would exceed shortBudget. GCRA alone bounds any interval t by
// rate x t + burst, which over one second is up to twice a second's budget.
// Why counting from the grant is exact (Gmail, like our emulator, charges a call when it is admitted, i.e. when it
// arrives): a grant at g arrives at g + u, u its trip there. Were u the same for every call, counting each grant
// for one window from g would bound Gmail's windows exactly (every arrival shifted alike). It varies, so each entry
// starts at g + margin and, at its answer r, moves to r - minRtt + margin: the trip there is at most the whole
// round trip less the shortest one (r - g - minRtt), counted from the shortest trip there, which is the common
// shift. An answer always comes less than a window after its grant, before its entry expires, so every decision
// sees the corrected entry; a request still unanswered a quarter of a window after its grant is moved to "now" (touched)
// so that a call held long on our side (a blocked event loop, a first connection) still counts when it arrives.
// Returns a positive wait (nothing taken), 0 (taken, no log) or the grant's log member (taken).
// KEYS[1] state, KEYS[2] log; ARGV: units, msPerUnit (0 = no pacing), burstMs, recoverMs, shortMs (0 = none),
// shortBudget, marginMs.
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
local function unitsOf(m)
  local i = string.find(m, ':', 1, true)
  return tonumber(string.sub(m, i + 1, string.find(m, ':', i + 1, true) - 1))
end
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
        -- If its answer moves it later meanwhile, the next ask says how much longer.
        at = tonumber(e[i + 1]) + shortMs
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
  local margin = tonumber(ARGV[7])
  local member = seq .. ':' .. units .. ':' .. string.format('%.3f', now)
  redis.call('ZADD', KEYS[2], string.format('%.3f', now + margin), member)
  redis.call('HSET', KEYS[1], 'wsum', string.format('%.3f', wsum + units))
  redis.call('PEXPIRE', KEYS[2], math.ceil(margin + shortMs) + 60000)
  return member
end
return 0
`;

// A grant of the log has its answer (ARGV[3] = 1): it arrived at most its round trip less the fastest one after its
// grant, so it counts from now - minRtt + margin if that is later than its entry says. Or it is still unanswered
// (ARGV[3] = 0, a touch): it counts as arriving now.
// KEYS[1] state, KEYS[2] log; ARGV: member, marginMs, answered.
const SETTLE_LUA = `
if redis.replicate_commands then pcall(redis.replicate_commands) end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local score = tonumber(redis.call('ZSCORE', KEYS[2], ARGV[1]))
if not score then return 0 end
local margin = tonumber(ARGV[2])
local at = now + margin
if ARGV[3] == '1' then
  local i = string.find(ARGV[1], ':', string.find(ARGV[1], ':', 1, true) + 1, true)
  local rtt = now - tonumber(string.sub(ARGV[1], i + 1))
  -- The fastest round trip since the account's state was created (it expires after a minute without calls), and
  -- during the first seconds no more than RTT_WARMUP ms per ms since then: the first answers of a sync are all slowed
  -- by the same burst (sends queued behind each other, answers behind the sends), so one can be fast one way and slow
  -- the other, and only the fastest round trip of a calm moment bounds the trip there of every other. For the same
  -- reason it is never raised afterwards (a busy process slows every request).
  local s = redis.call('HMGET', KEYS[1], 'minRtt', 'rttSince')
  local since = tonumber(s[2])
  if not since then
    since = now
    redis.call('HSET', KEYS[1], 'rttSince', string.format('%.3f', now))
  end
  local m = tonumber(s[1])
  if not m or rtt < m then
    m = rtt
    redis.call('HSET', KEYS[1], 'minRtt', string.format('%.3f', m))
  end
  m = math.min(m, (now - since) * ${RTT_WARMUP})
  at = now - m + margin
end
if at > score then redis.call('ZADD', KEYS[2], 'XX', string.format('%.3f', at), ARGV[1]) end
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

export type GovernorRedis = Redis & {
  mailmirrorQuotaAcquire(
    key: string, logKey: string, units: number, msPerUnit: number, burstMs: number, recoverMs: number, shortMs: number,
    shortBudget: number, marginMs: number,
  ): Promise<number | string>;
  mailmirrorQuotaSettle(key: string, logKey: string, member: string, marginMs: number, answered: 0 | 1): Promise<number>;
  mailmirrorQuotaPenalize(
    key: string, pauseMs: number, factorMul: number, minFactor: number, recoverMs: number, burstMs: number,
  ): Promise<number>;
};

/** The Redis connection with the governor's scripts defined on it. */
export function defineQuotaScripts(redis: Redis): GovernorRedis {
  // defineCommand sends EVALSHA and falls back to EVAL on NOSCRIPT (e.g. after redis-server restarted).
  redis.defineCommand('mailmirrorQuotaAcquire', { numberOfKeys: 2, lua: ACQUIRE_LUA });
  redis.defineCommand('mailmirrorQuotaSettle', { numberOfKeys: 2, lua: SETTLE_LUA });
  redis.defineCommand('mailmirrorQuotaPenalize', { numberOfKeys: 1, lua: PENALIZE_LUA });
  return redis as GovernorRedis;
}
