/**
 * A token bucket: `rate` bytes per second, bursts up to `burst` bytes. A sender takes from every
 * bucket that applies (this host's, the volume's) before each frame, so the slowest one rules.
 */
export class TokenBucket {
  private tokens: number;
  private last = process.hrtime.bigint();

  constructor(
    readonly rate: number,
    readonly burst = Math.max(rate / 4, 1 << 20),
  ) {
    if (!(rate > 0)) throw new RangeError(`bandwidth limit must be a positive number of bytes per second, got ${rate}`);
    this.tokens = this.burst;
  }

  private refill(): void {
    const now = process.hrtime.bigint();
    this.tokens = Math.min(this.burst, this.tokens + (Number(now - this.last) / 1e9) * this.rate);
    this.last = now;
  }

  /** Waits until `n` bytes may go. A frame larger than the burst goes into debt and waits that off. */
  async take(n: number): Promise<void> {
    this.refill();
    this.tokens -= n;
    if (this.tokens >= 0) return;
    const waitMs = (-this.tokens / this.rate) * 1000;
    await new Promise((r) => setTimeout(r, waitMs));
  }
}

export async function takeAll(buckets: readonly TokenBucket[], n: number): Promise<void> {
  for (const b of buckets) await b.take(n);
}
