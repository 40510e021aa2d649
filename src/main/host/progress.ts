// The terminal progress bar of `sync --wait` and `demo`: one redrawn line per account on a TTY,
// plain lines (on change, at most every few seconds) otherwise.
import type { AccountStatus } from '../app-core';
import { cliPhase } from './cli-phase';

const BAR = 28;

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

export function formatDuration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '--';
  if (s < 60) return `${Math.ceil(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** One account's progress: the status projection's numbers (sync/status.ts), the CLI's words for the phase. */
export function progressLine(a: AccountStatus, tty: boolean): string {
  const s = a.status;
  const pct = s.percent;
  const rate = s.ratePerSecond ?? 0;
  const phase = cliPhase(a);
  const counts = `${fmt(s.processed)}/${fmt(s.total ?? 0)}`;
  const speed = rate > 0 ? ` · ${rate.toFixed(rate < 10 ? 1 : 0)} msg/s` : '';
  const eta = s.etaSeconds !== null && phase !== 'synced' ? ` · ${formatDuration(s.etaSeconds)} left` : '';
  const label = phase === 'synced' ? 'up to date' : phase.replace('_', ' ');
  if (!tty) return `${a.email}: ${label} ${counts} (${pct.toFixed(1)}%)${speed}${eta}`;
  const filled = Math.round((BAR * pct) / 100);
  const bar = '█'.repeat(filled) + '░'.repeat(BAR - filled);
  return `${a.email} ${bar} ${pct.toFixed(1).padStart(5)}% ${counts} ${label}${speed}${eta}`;
}

export class ProgressView {
  private lastPlain = new Map<number, { line: string; t: number }>();
  private drawn = 0;

  constructor(private readonly out: NodeJS.WritableStream, private readonly tty: boolean) {}

  /**
   * Redraws the progress. `note` says what holds the sync up beyond the accounts ("Redis is not answering
   * (12 s)…"): its own line on a terminal, the end of each line otherwise.
   */
  render(statuses: AccountStatus[], note: string | null = null): void {
    const lines = statuses.map((a) => {
      const line = progressLine(a, this.tty);
      return { s: a.status, line: note && !this.tty ? `${line} — ${note}` : line };
    });
    if (this.tty) {
      const text = note ? [...lines.map((l) => l.line), note] : lines.map((l) => l.line);
      if (this.drawn) this.out.write(`\x1b[${this.drawn}F`);
      for (const line of text) this.out.write(`\x1b[2K${line}\n`);
      // A note gone: clear the line it was on.
      if (this.drawn > text.length) this.out.write('\x1b[0J');
      this.drawn = text.length;
      return;
    }
    const now = Date.now();
    for (const { s, line } of lines) {
      const last = this.lastPlain.get(s.accountId);
      const samePhase = last && last.line.split(' ')[1] === line.split(' ')[1];
      if (!last || (line !== last.line && (!samePhase || now - last.t >= 2000))) {
        this.out.write(`${line}\n`);
        this.lastPlain.set(s.accountId, { line, t: now });
      }
    }
  }

  /** Something else was written below the progress (a line on stderr): draw the next one after it. */
  interrupt(): void {
    this.drawn = 0;
  }
}
