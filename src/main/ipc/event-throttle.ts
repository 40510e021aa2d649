// Coalesces bursts of events per key: the first goes out at once, later ones within the interval
// are merged into one trailing emission, so the last state always arrives and a fast sync cannot
// flood the renderer.

export type ThrottleOptions<T> = {
  intervalMs: number;
  /** Combines a pending payload with a newer one (default: keep the newer). */
  merge?: (pending: T, next: T) => T;
  emit: (payload: T) => void;
};

type Slot<T> = { last: number; pending: { payload: T } | null; timer: NodeJS.Timeout | null };

export class KeyedThrottle<T> {
  private readonly slots = new Map<string, Slot<T>>();
  private closed = false;

  constructor(private readonly opts: ThrottleOptions<T>) {}

  push(key: string, payload: T): void {
    if (this.closed) return;
    let slot = this.slots.get(key);
    if (!slot) {
      slot = { last: 0, pending: null, timer: null };
      this.slots.set(key, slot);
    }
    const now = Date.now();
    if (!slot.timer && now - slot.last >= this.opts.intervalMs) {
      slot.last = now;
      this.opts.emit(payload);
      return;
    }
    const merge = this.opts.merge;
    slot.pending = { payload: slot.pending && merge ? merge(slot.pending.payload, payload) : payload };
    if (!slot.timer) {
      const s = slot;
      s.timer = setTimeout(() => this.flush(s), Math.max(0, s.last + this.opts.intervalMs - now));
      s.timer.unref?.();
    }
  }

  private flush(slot: Slot<T>): void {
    slot.timer = null;
    const p = slot.pending;
    slot.pending = null;
    if (!p || this.closed) return;
    slot.last = Date.now();
    this.opts.emit(p.payload);
  }

  close(): void {
    this.closed = true;
    for (const s of this.slots.values()) if (s.timer) clearTimeout(s.timer);
    this.slots.clear();
  }
}
