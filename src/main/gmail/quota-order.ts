// Order and concurrency inside one process: calls wait for a slot and for their turn to ask Redis for units in
// priority order (lowest first, FIFO among equals), and every wait ends early when the caller's signal aborts.
//
// Order inside a process (issue 8, measured by `npm run bench`): calls wait for a slot and for units in priority
// order, lowest first, FIFO among equals. Cheap metadata calls (labels, profile, listing, history) go first: labels
// with counts must show within seconds and the listing decides what the rest costs, so neither may queue behind a
// backlog of message fetches. Fetches take the priority their caller sets with `callPriority.run(p, …)` (the
// message-batch processor: the job's BullMQ priority, then the order jobs started), so a job's messages arrive
// together instead of every job's trickling in round-robin. Only the head of that queue asks Redis for units; the
// others wait locally, so Redis sees one acquisition at a time per account and process instead of a thundering
// herd of retries.
import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as sleepTimer } from 'node:timers/promises';
import type { GmailMethod } from '../../shared/gmail-quota';

/**
 * Priority of the Gmail calls made inside `callPriority.run(p, fn)` (lower first). Calls outside it, and metadata
 * calls whatever the context, take the priority of their method (METHOD_PRIORITY).
 */
export const callPriority = new AsyncLocalStorage<number>();

/** The bulk of a sync; every other call is cheap and something waits on it, so it goes first. */
const DETAIL_METHODS: ReadonlySet<GmailMethod> = new Set(['messages.get', 'threads.get', 'messages.attachments.get']);

/**
 * Metadata before everything, then a user's attachment (someone is waiting for it), then the sync's fetches in their
 * callers' order; fetches made outside any `callPriority` context come last.
 */
export function priorityOf(method: GmailMethod): number {
  if (!DETAIL_METHODS.has(method)) return 0;
  if (method === 'messages.attachments.get') return 1;
  return callPriority.getStore() ?? Number.MAX_SAFE_INTEGER;
}

type Waiter = { priority: number; seq: number; weight: number; wake: () => void };

/** Waiters in (priority, arrival) order. Few at a time (a handful of jobs' requests): a sorted array is enough. */
class WaitQueue {
  private readonly items: Waiter[] = [];
  private seq = 0;

  get length(): number {
    return this.items.length;
  }

  push(priority: number, wake: () => void, weight = 1): Waiter {
    const w = { priority, seq: this.seq++, weight, wake };
    let i = this.items.length;
    while (i > 0 && this.items[i - 1].priority > priority) i--;
    this.items.splice(i, 0, w);
    return w;
  }

  remove(w: Waiter): void {
    const i = this.items.indexOf(w);
    if (i >= 0) this.items.splice(i, 1);
  }

  shift(): Waiter | undefined {
    return this.items.shift();
  }

  peek(): Waiter | undefined {
    return this.items[0];
  }
}

/** Waits in `queue` until woken (resolving with its entry), or rejects when the signal aborts (leaving the queue). */
function waitIn(queue: WaitQueue, priority: number, signal: AbortSignal | undefined, weight = 1): Promise<Waiter> {
  return new Promise<Waiter>((resolve, reject) => {
    const onAbort = (): void => {
      queue.remove(w);
      reject(signal?.reason);
    };
    const w = queue.push(priority, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve(w);
    }, weight);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * A counting semaphore served in priority order, whose limit can be lowered for a while (Gmail's "too many
 * concurrent requests"). A request may take several slots (a batch: one per part, at most all of them).
 */
export class InFlightLimit {
  private active = 0;
  private readonly waiters = new WaitQueue();
  constructor(private limit: number) {}

  async acquire(priority: number, signal?: AbortSignal, weight = 1): Promise<() => void> {
    if (signal?.aborted) throw abortReason(signal);
    let taken = Math.max(1, Math.min(weight, this.limit));
    if (this.waiters.length === 0 && this.fits(taken)) {
      this.active += taken;
    } else {
      // drain() counts the slots as taken (and records how many in our entry) before waking us, so no later
      // arrival can take them meanwhile.
      taken = (await waitIn(this.waiters, priority, signal, weight)).weight;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active -= taken;
      this.drain();
    };
  }

  /** One slot fewer (never below 1) for `ms`. */
  lower(ms: number): void {
    if (this.limit <= 1) return;
    this.limit--;
    setTimeout(() => {
      this.limit++;
      this.drain();
    }, ms).unref();
  }

  private fits(n: number): boolean {
    return this.active === 0 || this.active + n <= this.limit;
  }

  private drain(): void {
    for (let head = this.waiters.peek(); head; head = this.waiters.peek()) {
      const n = Math.max(1, Math.min(head.weight, this.limit));
      if (!this.fits(n)) break;
      this.waiters.shift();
      this.active += n;
      head.weight = n;
      head.wake();
    }
  }
}

/** One holder at a time, handed over in priority order: who may ask Redis for units next. */
export class Turn {
  private busy = false;
  private readonly waiters = new WaitQueue();

  async acquire(priority: number, signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) throw abortReason(signal);
    if (!this.busy && this.waiters.length === 0) this.busy = true;
    else await waitIn(this.waiters, priority, signal);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) next.wake();
      else this.busy = false;
    };
  }
}

export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new Error('aborted');
}

export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return;
  try {
    await sleepTimer(ms, undefined, { signal });
  } catch (e) {
    if (signal?.aborted) throw abortReason(signal);
    throw e;
  }
}
