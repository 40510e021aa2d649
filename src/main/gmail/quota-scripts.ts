// The governor's state lives in Redis and changes only inside these Lua scripts, so that every process sharing an
// account agrees on it atomically (see quota-governor.ts for the design, quota-pacing.ts for the numbers).
import type { Redis } from 'ioredis';

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

export type GovernorRedis = Redis & {
  mailmirrorQuotaAcquire(
    key: string, logKey: string, units: number, msPerUnit: number, burstMs: number, recoverMs: number, shortMs: number,
    shortBudget: number, flightMs: number,
  ): Promise<number>;
  mailmirrorQuotaSettle(logKey: string, member: string): Promise<number>;
  mailmirrorQuotaPenalize(
    key: string, pauseMs: number, factorMul: number, minFactor: number, recoverMs: number, burstMs: number,
  ): Promise<number>;
};

/** The Redis connection with the governor's scripts defined on it. */
export function defineQuotaScripts(redis: Redis): GovernorRedis {
  // defineCommand sends EVALSHA and falls back to EVAL on NOSCRIPT (e.g. after redis-server restarted).
  redis.defineCommand('mailmirrorQuotaAcquire', { numberOfKeys: 2, lua: ACQUIRE_LUA });
  redis.defineCommand('mailmirrorQuotaSettle', { numberOfKeys: 1, lua: SETTLE_LUA });
  redis.defineCommand('mailmirrorQuotaPenalize', { numberOfKeys: 1, lua: PENALIZE_LUA });
  return redis as GovernorRedis;
}
