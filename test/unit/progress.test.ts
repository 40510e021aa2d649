import { describe, expect, it } from 'vitest';
import { formatDuration, progressLine, ProgressView } from '../../src/main/host/progress';
import { RateMeter } from '../../src/main/sync/rate-meter';
import type { AccountStatus } from '../../src/main/sync/status';
import type { SyncStatus } from '../../src/shared/ipc';

const status: SyncStatus = {
  accountId: 1,
  phase: 'fetching',
  processed: 1200,
  total: 2400,
  percent: 50,
  ratePerSecond: null,
  etaSeconds: null,
  error: null,
  offline: false,
  initialSyncCompleted: false,
  lastSyncAt: null,
  labels: [],
};
const base: AccountStatus = { email: 'a@example.com', stored: 'fetching', storedError: null, historyId: '5', lastFullSyncAt: null, lastIncrementalSyncAt: null, status };
const at = (patch: Partial<SyncStatus>): AccountStatus => ({ ...base, status: { ...status, ...patch } });

describe('progress line', () => {
  it('shows counts, percent, speed and time left', () => {
    const line = progressLine(at({ ratePerSecond: 100, etaSeconds: 12 }), false);
    expect(line).toBe('a@example.com: fetching 1,200/2,400 (50.0%) · 100 msg/s · 12s left');
  });

  it('draws a bar on a terminal and says up to date at the end', () => {
    const line = progressLine(at({ phase: 'idle', processed: 2400, percent: 100, initialSyncCompleted: true }), true);
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

  it('shows what holds the sync up (a Redis that does not answer), and clears it once gone', () => {
    const sink = (): { out: NodeJS.WritableStream; text: () => string } => {
      let text = '';
      return { out: { write: (c: string) => ((text += c), true) } as unknown as NodeJS.WritableStream, text: () => text };
    };
    const plain = sink();
    new ProgressView(plain.out, false).render([base], 'Redis is not answering (12 s)…');
    expect(plain.text()).toBe('a@example.com: fetching 1,200/2,400 (50.0%) — Redis is not answering (12 s)…\n');

    const tty = sink();
    const view = new ProgressView(tty.out, true);
    view.render([base], 'Redis is not answering (10 s)…');
    expect(tty.text().split('\n')).toHaveLength(3); // the account, the note, then the cursor
    expect(tty.text()).toContain('\x1b[2KRedis is not answering (10 s)…\n');
    view.render([base], null);
    // Back up over both lines, redraw the account, erase the note's line.
    const redraw = tty.text().slice(tty.text().lastIndexOf('\x1b[2F'));
    expect(redraw.startsWith('\x1b[2F\x1b[2Ka@example.com ')).toBe(true);
    expect(redraw.endsWith('\n\x1b[0J')).toBe(true);
    expect(redraw).not.toContain('Redis');
  });
});
