import { describe, expect, it } from 'vitest';
import { formatDuration, progressLine, RateMeter } from '../../src/main/host/progress';
import type { AccountSyncStatus } from '../../src/main/sync/status';

const base: AccountSyncStatus = {
  accountId: 1,
  email: 'a@example.com',
  phase: 'fetching',
  processed: 1200,
  total: 2400,
  percent: 50,
  runType: 'initial',
  historyId: '5',
  lastFullSyncAt: null,
  lastIncrementalSyncAt: null,
  error: null,
};

describe('progress line', () => {
  it('shows counts, percent, speed and time left', () => {
    const line = progressLine(base, 100, false);
    expect(line).toBe('a@example.com: fetching 1,200/2,400 (50.0%) · 100 msg/s · 12s left');
  });

  it('draws a bar on a terminal and says up to date at the end', () => {
    const line = progressLine({ ...base, phase: 'synced', processed: 2400, percent: 100 }, 0, true);
    expect(line).toContain('█'.repeat(28));
    expect(line).toContain('100.0%');
    expect(line).toContain('up to date');
  });

  it('measures messages per second over recent samples', () => {
    const m = new RateMeter();
    m.push(0, 0);
    expect(m.push(500, 1000)).toBe(500);
    expect(formatDuration(3725)).toBe('1h02m');
    expect(formatDuration(75)).toBe('1m15s');
  });
});
