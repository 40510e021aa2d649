// The app's exports while they run: one per account at a time, each stoppable ("Stop export" in the app, a window
// or the app closing). A stopped export ends as its writer does (export-account.ts): nothing under its name.
import { InvalidRequestError } from '../ipc/errors';

export class RunningExports {
  private readonly running = new Map<number, { stop: AbortController; ended: Promise<unknown> }>();

  /** Runs `work` as the account's export; refused while another export of the account runs. */
  async run<T>(accountId: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.running.has(accountId)) {
      throw new InvalidRequestError('An export of this account is already running (closing its window does not stop it): wait for it to finish, or stop it');
    }
    // Known as running before `work` starts: it may tell its first progress (and be stopped) before it first waits.
    const entry: { stop: AbortController; ended: Promise<unknown> } = { stop: new AbortController(), ended: Promise.resolve() };
    this.running.set(accountId, entry);
    try {
      const ended = work(entry.stop.signal);
      entry.ended = ended.catch(() => undefined);
      return await ended;
    } finally {
      this.running.delete(accountId);
    }
  }

  /** Stops the account's export; false when none runs. */
  cancel(accountId: number): boolean {
    const r = this.running.get(accountId);
    r?.stop.abort();
    return r !== undefined;
  }

  /** Stops every export and waits until each has ended (the core is closing: no half-written file is left behind). */
  async stopAll(): Promise<void> {
    const ended = [...this.running.values()].map((r) => {
      r.stop.abort();
      return r.ended;
    });
    await Promise.all(ended);
  }
}
