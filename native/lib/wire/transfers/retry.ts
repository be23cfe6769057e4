/**
 * The sender's retry loop: run a transfer, and on failure do what the reject table says — back off
 * (1 s doubling to 300 s, by default) for `back-off` rejects and broken links; hand every other
 * policy back to the caller at once. Bounded by attempts and by time.
 */
import { FrameError, LinkError, ProtocolError } from '../errors.js';
import { WireReject } from '../protocol/rejects.js';

export interface RetryOptions {
  attempts?: number;
  firstDelayMs?: number;
  maxDelayMs?: number;
  /** Give up when this much time has gone (ms). */
  deadlineMs?: number;
  onRetry?: (attempt: number, error: Error, delayMs: number) => void;
}

/** Whether the wire's policy is to try `e` again after a pause. */
export function backsOff(e: unknown): boolean {
  if (e instanceof WireReject) return e.policy === 'back-off';
  return e instanceof LinkError || e instanceof FrameError || e instanceof ProtocolError;
}

export async function withRetries<T>(run: (attempt: number) => Promise<T>, o: RetryOptions = {}): Promise<T> {
  const attempts = o.attempts ?? 10;
  const t0 = Date.now();
  let delay = o.firstDelayMs ?? 1000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await run(attempt);
    } catch (e) {
      const late = o.deadlineMs !== undefined && Date.now() - t0 + delay > o.deadlineMs;
      if (!backsOff(e) || attempt >= attempts || late) throw e;
      o.onRetry?.(attempt, e as Error, delay);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, o.maxDelayMs ?? 300_000);
    }
  }
}
