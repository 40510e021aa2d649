// The emulator's quota: Gmail's per-user budget per minute and, as Gmail documents it, as a per-second moving
// window ("250 quota units per user per second, moving average" for the legacy table), both held at once.
import { describe, expect, it } from 'vitest';
import { QuotaManager } from '../../src/emulator/quota';

describe('emulator quota windows', () => {
  it('refuses a second’s budget plus one call within any second, and says when it frees', () => {
    const q = new QuotaManager({ profile: 'legacy', scale: 1 }, 1); // 15,000/min = 250 units in any second
    for (let i = 0; i < 50; i++) expect(q.admit('u', 5, 1000 + i).ok, `call ${i}`).toBe(true);
    const refused = q.admit('u', 5, 1100);
    expect(refused).toMatchObject({ ok: false, retryAt: 2000 });
    // One second after the first call its 5 units are back, and only those.
    expect(q.admit('u', 5, 2000).ok).toBe(true);
    expect(q.admit('u', 5, 2000).ok).toBe(false);
    // Other users have budgets of their own.
    expect(q.admit('v', 5, 1100).ok).toBe(true);
  });

  it('still holds the minute: 60 full seconds in a row fit, the 61st call in that minute does not', () => {
    const q = new QuotaManager({ profile: '2026', scale: 1 }, 1); // 6,000/min, 100 in any second
    let t = 0;
    for (let s = 0; s < 60; s++) for (let i = 0; i < 5; i++) expect(q.admit('u', 20, (t = s * 1000 + i)).ok).toBe(true);
    expect(t).toBe(59_004);
    // Second 60 starts a new second, but the minute (t - 60 s, t] still holds 6,000 units until t = 60,000.
    expect(q.admit('u', 20, 59_999)).toMatchObject({ ok: false });
    expect(q.admit('u', 20, 60_000).ok).toBe(true);
  });

  it('windowMs 0 keeps only the minute; another windowMs scales the short budget', () => {
    const minuteOnly = new QuotaManager({ profile: '2026', scale: 1, windowMs: 0 }, 1);
    for (let i = 0; i < 300; i++) expect(minuteOnly.admit('u', 20, i).ok).toBe(true);
    expect(minuteOnly.admit('u', 20, 300).ok).toBe(false);
    const tenSeconds = new QuotaManager({ profile: '2026', scale: 1, windowMs: 10_000 }, 1); // 1,000 in any 10 s
    for (let i = 0; i < 50; i++) expect(tenSeconds.admit('u', 20, i).ok).toBe(true);
    expect(tenSeconds.admit('u', 20, 9_000)).toMatchObject({ ok: false, retryAt: 10_000 });
    expect(tenSeconds.windows()).toEqual([{ ms: 60_000, budget: 6000 }, { ms: 10_000, budget: 1000 }]);
  });

  it('lets a call dearer than a second’s budget run alone, so that it can run at all', () => {
    const q = new QuotaManager({ profile: '2026', scale: 0.1 }, 1); // 600/min, 10 per second; threads.get = 40
    expect(q.admit('u', 40, 0).ok).toBe(true);
    expect(q.admit('u', 40, 500).ok).toBe(false);
    expect(q.admit('u', 40, 1000).ok).toBe(true);
  });
});
