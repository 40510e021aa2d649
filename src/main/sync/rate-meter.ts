/** Messages per second over the last ~10 s of samples of a growing count. */
export class RateMeter {
  private samples: { t: number; n: number }[] = [];

  /** Messages per second over the last ~10 s. */
  push(n: number, t = Date.now()): number {
    this.samples.push({ t, n });
    while (this.samples.length > 2 && t - this.samples[0].t > 10_000) this.samples.shift();
    const first = this.samples[0];
    const dt = (t - first.t) / 1000;
    return dt > 0.5 ? Math.max(0, (n - first.n) / dt) : 0;
  }
}
