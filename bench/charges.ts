// The emulator's timeline of charged units (its stats' `charges`, 100 ms ticks) read against a budget: how much of
// each second's budget a sync used, and where the rest went.
import type { EmulatorStats } from '../src/emulator';
import { fmt } from './report';

export type ChargeUse = {
  /** Share of the budget used over [from, to) (the sync run's span). */
  share: number;
  /** Share of each whole second's budget used, from `from`. */
  perSecond: number[];
  /** ms from `from` to the first charge, and from the last charge to `to`. */
  leadMs: number;
  tailMs: number;
};

/** How much of `budgetPerSecond` the charges between `from` and `to` (ms since 1970) used. */
export function chargeUse(charges: EmulatorStats['charges'], budgetPerSecond: number, from: number, to: number): ChargeUse {
  const { since, tickMs, units } = charges;
  const at = (i: number): number => since + i * tickMs;
  let used = 0;
  let first = -1;
  let last = -1;
  const perSecond: number[] = [];
  units.forEach((u, i) => {
    const t = at(i);
    if (u > 0) {
      if (first < 0) first = i;
      last = i;
    }
    if (t < from - tickMs || t >= to) return;
    // A tick that straddles `from` or `to` counts for the part inside.
    const inside = Math.max(0, Math.min(t + tickMs, to) - Math.max(t, from)) / tickMs;
    used += u * inside;
    const s = Math.floor((t - from) / 1000);
    if (s >= 0) perSecond[s] = (perSecond[s] ?? 0) + u;
  });
  const seconds = (to - from) / 1000;
  return {
    share: used / (budgetPerSecond * seconds),
    perSecond: Array.from(perSecond, (u) => (u ?? 0) / budgetPerSecond),
    leadMs: first < 0 ? Number.NaN : at(first) - from,
    tailMs: last < 0 ? Number.NaN : to - at(last + 1),
  };
}

/** One line for the log: the overall share, the lead-in and tail, and each second's share. */
export function describeUse(u: ChargeUse): string {
  return `budget used ${fmt(u.share, 3)} over the run (first charge ${fmt(u.leadMs)} ms after its start, last ${fmt(u.tailMs)} ms before its end); per second: ${u.perSecond.map((s) => fmt(s, 2)).join(' ')}`;
}
