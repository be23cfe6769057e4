/**
 * Per-volume exponential backoff after a failed action: 750 ms, doubling, up to a cap (15 min by
 * default), reset by a success. Requeue after success uses the interval with ±5 % jitter.
 */
export interface BackoffOptions {
  baseMs?: number;
  capMs?: number;
}

export class Backoff {
  private readonly failures = new Map<string, { count: number; until: number }>();
  private readonly baseMs: number;
  private readonly capMs: number;

  constructor(options: BackoffOptions = {}) {
    this.baseMs = options.baseMs ?? 750;
    this.capMs = options.capMs ?? 15 * 60_000;
  }

  /** Delay before attempt number `failures + 1`. */
  delayMs(failures: number): number {
    return Math.min(this.capMs, this.baseMs * 2 ** Math.max(0, failures - 1));
  }

  /** Records a failure of `key` at `now`; returns when it may be retried. */
  fail(key: string, now: number): number {
    const count = (this.failures.get(key)?.count ?? 0) + 1;
    const until = now + this.delayMs(count);
    this.failures.set(key, { count, until });
    return until;
  }

  succeed(key: string): void {
    this.failures.delete(key);
  }

  /** True while `key` waits for its retry time. */
  waiting(key: string, now: number): boolean {
    const f = this.failures.get(key);
    return f !== undefined && f.until > now;
  }

  failuresOf(key: string): number {
    return this.failures.get(key)?.count ?? 0;
  }

  retryAt(key: string): number | null {
    return this.failures.get(key)?.until ?? null;
  }

  /** The earliest retry time after `now`, or null. */
  nextRetry(now: number): number | null {
    let next: number | null = null;
    for (const f of this.failures.values()) if (f.until > now && (next === null || f.until < next)) next = f.until;
    return next;
  }
}

/** `ms` with ±`fraction` uniform jitter (5 % by default). */
export function jitter(ms: number, fraction = 0.05, random: () => number = Math.random): number {
  return Math.round(ms * (1 + fraction * (2 * random() - 1)));
}
