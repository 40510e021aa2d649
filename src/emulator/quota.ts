/**
 * Gmail's per-user limits: a budget of quota units per minute (sliding 60 s window, method costs
 * from src/shared/gmail-quota.ts), the same budget as a per-second moving window (1/60 of it in any
 * second), and a cap on concurrent requests per user
 * (https://developers.google.com/workspace/gmail/api/reference/quota).
 *
 * Accounting choice: a call is charged when it is admitted, whatever it answers afterwards (404,
 * injected 5xx), because Google meters requests that reach the service. Calls refused by the quota
 * check itself, by the concurrency cap, or for bad credentials are not charged: nothing of the user's
 * budget was used by them, and charging refusals would make a client that backs off on Retry-After
 * lock itself out. The references describe per-user quotas but not refusal accounting; this is the
 * reading that lets a well-paced client run at the documented ceiling.
 */
import { type GmailMethod, QUOTA_PROFILES } from '../shared/gmail-quota';
import { Rng } from './rng';
import type { QuotaOptions } from './types';

/** Gmail's per-minute window. */
const MINUTE_MS = 60_000;
/**
 * The short moving window (default 1 s): Gmail documents the per-user limit both per minute and as a per-second
 * moving average ("250 quota units per user per second, moving average" for the legacy table), and holds both, so
 * the emulator does too: in every `windowMs` a user may spend windowMs/60,000 of the per-minute budget.
 */
export const DEFAULT_SHORT_WINDOW_MS = 1000;

/** One log of admitted calls per user; a head and a running sum per window length. */
type Log = { ts: number[]; units: number[]; heads: number[]; sums: number[] };

export type Admission = { ok: true } | { ok: false; retryAt: number; style: '429' | '403' };

export class QuotaManager {
  private opts: QuotaOptions | undefined;
  private readonly logs = new Map<string, Log>();
  private readonly inflight = new Map<string, number>();
  private readonly rng: Rng;

  constructor(opts: QuotaOptions | undefined, seed: number) {
    this.opts = opts;
    this.rng = Rng.from(seed, 0x71756f74);
  }

  set(opts: QuotaOptions | undefined): void {
    this.opts = opts;
    this.logs.clear();
  }

  get options(): QuotaOptions | undefined {
    return this.opts;
  }

  costOf(method: GmailMethod): number {
    return QUOTA_PROFILES[this.opts?.profile ?? '2026'].costs[method];
  }

  /** Units per minute per user, or Infinity when unlimited. */
  budget(): number {
    if (!this.opts || !this.opts.scale) return Infinity;
    return QUOTA_PROFILES[this.opts.profile].unitsPerMinute * this.opts.scale;
  }

  concurrencyLimit(): number {
    if (!this.opts) return Infinity;
    return this.opts.maxConcurrent ?? 10;
  }

  /** Counts a request in flight for the user; returns the new count. */
  enter(user: string): number {
    const n = (this.inflight.get(user) ?? 0) + 1;
    this.inflight.set(user, n);
    return n;
  }

  exit(user: string): void {
    const n = (this.inflight.get(user) ?? 1) - 1;
    if (n <= 0) this.inflight.delete(user);
    else this.inflight.set(user, n);
  }

  /** The windows enforced, each with its budget: the minute, and the short moving window unless turned off. */
  windows(): { ms: number; budget: number }[] {
    const budget = this.budget();
    const short = this.opts?.windowMs ?? DEFAULT_SHORT_WINDOW_MS;
    const out = [{ ms: MINUTE_MS, budget }];
    if (short > 0 && short < MINUTE_MS) out.push({ ms: short, budget: (budget * short) / MINUTE_MS });
    return out;
  }

  /** Charges `cost` units if every window (the last minute, the last second) leaves room for them. */
  admit(user: string, cost: number, now: number): Admission {
    if (this.budget() === Infinity) return { ok: true };
    const windows = this.windows();
    let log = this.logs.get(user);
    if (!log) {
      log = { ts: [], units: [], heads: windows.map(() => 0), sums: windows.map(() => 0) };
      this.logs.set(user, log);
    }
    let retryAt = now;
    windows.forEach((w, k) => {
      const l = log;
      while (l.heads[k] < l.ts.length && l.ts[l.heads[k]] <= now - w.ms) {
        l.sums[k] -= l.units[l.heads[k]];
        l.heads[k]++;
      }
      // A call dearer than a window's whole (scaled) budget still runs alone in it, or it could never run.
      if (l.sums[k] + cost <= w.budget || l.sums[k] === 0) return;
      let freed = 0;
      let at = now + w.ms;
      for (let i = l.heads[k]; i < l.ts.length; i++) {
        freed += l.units[i];
        if (l.sums[k] - freed + cost <= w.budget) {
          at = l.ts[i] + w.ms;
          break;
        }
      }
      retryAt = Math.max(retryAt, at);
    });
    if (retryAt > now) {
      const style = this.opts?.errorStyle ?? '429';
      return { ok: false, retryAt, style: style === 'mixed' ? (this.rng.chance(0.5) ? '429' : '403') : style };
    }
    log.ts.push(now);
    log.units.push(cost);
    for (let k = 0; k < windows.length; k++) log.sums[k] += cost;
    // The minute's head is the oldest: drop what every window is done with.
    const head = Math.min(...log.heads);
    if (head > 1024 && head * 2 > log.ts.length) {
      log.ts = log.ts.slice(head);
      log.units = log.units.slice(head);
      log.heads = log.heads.map((h) => h - head);
    }
    return { ok: true };
  }
}
