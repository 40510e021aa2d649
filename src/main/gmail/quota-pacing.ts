// How fast the governor grants quota units: the rate and burst for a profile and scale, the same in every process.
// Why these numbers (GCRA plus a log of the last second's grants): quota-governor.ts.
import { QUOTA_PROFILES, type GmailMethod, type QuotaProfileName } from '../../shared/gmail-quota';

/** Fraction of Gmail's budget the governor aims at, leaving room for clock skew and latency jitter. */
export const QUOTA_SAFETY = 0.98;
/** Variation of the delay between our grant and Gmail's metering of a request that the pacing absorbs. */
export const DEFAULT_JITTER_MS = 250;
/** With the short window on: GCRA's rate as a share of the budget (the log is the bound; GCRA smooths). */
const GCRA_SHARE = 0.99;

/** What the pacing depends on (part of QuotaGovernorOptions). */
export type PacingOptions = {
  profile: QuotaProfileName;
  /** Multiplies the per-minute budget (emulators with a scaled quota); 0 = no pacing (pauses still honoured). */
  scale: number;
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
   * A margin on the short window, in ms: a grant counts from its grant plus this (and from its answer less the
   * fastest answer seen plus this, when that is later), for one window. Covers the error of that fastest-answer
   * estimate and the server's clock resolution. Default 0.5% of the short window (5 ms).
   */
  shortMarginMs?: number;
};

/**
 * The pacing a governor with these options runs at (the same in every process): units per window at full rate
 * (0 = unpaced) and the burst it tolerates. A caller may group calls into one (Gmail's batch endpoint) up to
 * `burstUnits` without lowering the rate or breaking the window bound.
 */
export function governorPacing(
  opts: PacingOptions,
): { unitsPerWindow: number; burstUnits: number; windowMs: number; short: { windowMs: number; marginMs: number; budget: number } | null } {
  const profile = QUOTA_PROFILES[opts.profile];
  const windowMs = opts.windowMs ?? 60_000;
  const budget = profile.unitsPerMinute * opts.scale;
  if (!(budget > 0)) return { unitsPerWindow: 0, burstUnits: 0, windowMs, short: null };
  const costliest = Math.max(...Object.values(profile.costs), opts.maxCallUnits ?? 0);
  const shortMs = opts.shortWindowMs ?? windowMs / 60;
  if (shortMs > 0 && shortMs < windowMs) {
    // Gmail's per-second moving window, held by the log (ACQUIRE_LUA): each grant counts for one window from the
    // moment it may reach Gmail, which bounds arrivals in any window by its budget; over a minute that is at most
    // 60 seconds' worth less the margins, so the minute needs no bound of its own. GCRA runs a little faster than
    // the log can sustain (GCRA_SHARE of a second's budget per second): the log's expiries then clock the grants,
    // one entry's room at a time, as evenly as they were granted, and GCRA only spreads the first second and keeps
    // the slowdown after a rate-limit answer. The burst is half a second's budget (at least the costliest call):
    // batches of that size leave room for the metadata calls in between.
    const marginMs = opts.shortMarginMs ?? shortMs * 0.005;
    const shortBudget = (budget * shortMs) / windowMs;
    return {
      unitsPerWindow: budget * GCRA_SHARE,
      burstUnits: Math.min(shortBudget, Math.max(shortBudget / 2, costliest)) || costliest,
      windowMs,
      short: { windowMs: shortMs, marginMs, budget: shortBudget },
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

/** One table's pacing, as the governor runs it. */
export type Pace = {
  costs: Record<GmailMethod, number>;
  pacing: ReturnType<typeof governorPacing>;
  /** ms of budget per unit at the full rate; 0 = no pacing. */
  msPerUnit: number;
  /** GCRA burst tolerance, in ms at the full rate. */
  burstMs: number;
};

export function paceFor(opts: PacingOptions): Pace {
  const pacing = governorPacing(opts);
  const msPerUnit = pacing.unitsPerWindow > 0 ? pacing.windowMs / pacing.unitsPerWindow : 0;
  return { costs: QUOTA_PROFILES[opts.profile].costs, pacing, msPerUnit, burstMs: pacing.burstUnits * msPerUnit };
}
