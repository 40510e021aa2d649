// The auto quota profile's decisions (src/main/gmail/quota-profile.ts): when a probe says legacy or 2026, what it
// owes after a 2026 answer, and what is remembered or forgotten.
import { describe, expect, it } from 'vitest';
import { PROBE_START_MS, ProfileChooser, RECHECK_2026_MS, type RememberedProfile } from '../../src/main/gmail/quota-profile';

const MINUTE = 60_000;

function chooser(setting: ConstructorParameters<typeof ProfileChooser>[0] = 'auto', probeUnits = 9000) {
  const c = new ProfileChooser(setting, probeUnits, MINUTE);
  const told: Array<[string, RememberedProfile | null]> = [];
  c.onChange((a, r) => told.push([a, r]));
  return { c, told };
}

describe('ProfileChooser', () => {
  it('starts an unknown account on 2026, probing, and says legacy once the probe is answered without a refusal', () => {
    const { c, told } = chooser();
    c.remember('a', null, 0);
    expect(c.inUse('a')).toEqual({ profile: '2026', source: 'assumed', probing: true });
    for (let t = 0; t < 8900; t += 100) c.answered('a', 100, 1000 + t);
    expect(c.inUse('a').probing).toBe(true);
    c.answered('a', 100, 20_000);
    expect(c.inUse('a')).toEqual({ profile: 'legacy', source: 'detected', probing: false });
    expect(told).toEqual([['a', { profile: 'legacy', checkedAt: 20_000 }]]);
  });

  it('starts a probe slower for its first seconds (few refusals from a 2026 project), and only a running probe', () => {
    const { c } = chooser();
    c.remember('a', null, 0);
    expect(c.probeStarting('a', PROBE_START_MS - 1)).toBe(true);
    expect(c.probeStarting('a', PROBE_START_MS)).toBe(false);
    c.remember('b', { profile: 'legacy', checkedAt: 0 }, 0);
    expect(c.probeStarting('b', 1)).toBe(false);
  });

  it('says 2026 at the first rate-limit answer of a probe, owing what it spent beyond the 2026 pace', () => {
    const { c, told } = chooser();
    c.remember('a', null, 0);
    c.granted('a', 3000, 500);
    c.granted('a', 3000, 900);
    // 6,000 granted in 1 s against a pace of 6,000 a minute: 5,900 beyond it.
    expect(c.rateLimited('a', 6000, 1000)).toBeCloseTo(5900);
    expect(c.inUse('a')).toEqual({ profile: '2026', source: 'detected', probing: false });
    expect(told).toEqual([['a', { profile: '2026', checkedAt: 1000 }]]);
    // Later refusals of a 2026 account tell nothing new.
    expect(c.rateLimited('a', 6000, 2000)).toBe(0);
    expect(told).toHaveLength(1);
  });

  it('does not call a probe that could not spend enough within a minute legacy: it counts again', () => {
    const { c } = chooser();
    c.remember('a', null, 0);
    c.answered('a', 8000, 1000);
    c.answered('a', 8000, 1000 + MINUTE + 1);
    expect(c.inUse('a').probing).toBe(true);
    c.answered('a', 1000, 1000 + MINUTE + 2);
    expect(c.inUse('a').profile).toBe('legacy');
  });

  it('forgets legacy when a legacy account is refused, goes back to 2026 and probes again', () => {
    const { c, told } = chooser();
    c.remember('a', { profile: 'legacy', checkedAt: 0 }, 10);
    expect(c.inUse('a')).toEqual({ profile: 'legacy', source: 'detected', probing: false });
    expect(c.rateLimited('a', 6000, 20)).toBe(0);
    expect(c.inUse('a')).toEqual({ profile: '2026', source: 'assumed', probing: true });
    expect(told).toEqual([['a', null]]);
  });

  it('trusts a remembered 2026 for a week, then probes it again', () => {
    const { c } = chooser();
    c.remember('fresh', { profile: '2026', checkedAt: 0 }, RECHECK_2026_MS - 1);
    expect(c.inUse('fresh')).toEqual({ profile: '2026', source: 'detected', probing: false });
    c.remember('old', { profile: '2026', checkedAt: 0 }, RECHECK_2026_MS + 1);
    expect(c.inUse('old')).toEqual({ profile: '2026', source: 'detected', probing: true });
  });

  it('never probes unpaced, and leaves a set table alone', () => {
    const unpaced = chooser('auto', 0);
    unpaced.c.remember('a', null, 0);
    expect(unpaced.c.inUse('a')).toEqual({ profile: '2026', source: 'assumed', probing: false });

    const set = chooser('legacy');
    expect(set.c.known('a')).toBe(true);
    expect(set.c.inUse('a')).toEqual({ profile: 'legacy', source: 'set', probing: false });
    expect(set.c.rateLimited('a', 6000, 0)).toBe(0);
    expect(set.c.inUse('a').profile).toBe('legacy');
    expect(set.told).toEqual([]);
  });
});
