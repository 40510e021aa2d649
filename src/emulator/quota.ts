/**
 * Gmail's per-user limits: a budget of quota units per minute (sliding 60 s window, method costs
 * from src/shared/gmail-quota.ts) and a cap on concurrent requests per user
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

const WINDOW_MS = 60_000;

type Window = { ts: number[]; units: number[]; head: number; sum: number };

export type Admission = { ok: true } | { ok: false; retryAt: number; style: '429' | '403' };

export class QuotaManager {
  private opts: QuotaOptions | undefined;
  private readonly windows = new Map<string, Window>();
  private readonly inflight = new Map<string, number>();
  private readonly rng: Rng;

  constructor(opts: QuotaOptions | undefined, seed: number) {
    this.opts = opts;
    this.rng = Rng.from(seed, 0x71756f74);
  }

  set(opts: QuotaOptions | undefined): void {
    this.opts = opts;
    this.windows.clear();
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

  /** Charges `cost` units if the user's last 60 s leave room for them. */
  admit(user: string, cost: number, now: number): Admission {
    const budget = this.budget();
    if (budget === Infinity) return { ok: true };
    let w = this.windows.get(user);
    if (!w) {
      w = { ts: [], units: [], head: 0, sum: 0 };
      this.windows.set(user, w);
    }
    while (w.head < w.ts.length && w.ts[w.head] <= now - WINDOW_MS) {
      w.sum -= w.units[w.head];
      w.head++;
    }
    if (w.head > 1024 && w.head * 2 > w.ts.length) {
      w.ts = w.ts.slice(w.head);
      w.units = w.units.slice(w.head);
      w.head = 0;
    }
    // A call dearer than the whole (scaled) budget still runs alone, or it could never run.
    if (w.sum + cost <= budget || w.sum === 0) {
      w.ts.push(now);
      w.units.push(cost);
      w.sum += cost;
      return { ok: true };
    }
    let freed = 0;
    let retryAt = now + WINDOW_MS;
    for (let i = w.head; i < w.ts.length; i++) {
      freed += w.units[i];
      if (w.sum - freed + cost <= budget) {
        retryAt = w.ts[i] + WINDOW_MS;
        break;
      }
    }
    const style = this.opts?.errorStyle ?? '429';
    return { ok: false, retryAt, style: style === 'mixed' ? (this.rng.chance(0.5) ? '429' : '403') : style };
  }
}
