import { describe, expect, it } from 'vitest';

import { Backoff, jitter } from '../../../reconciler/daemon/backoff.js';

describe('per-volume backoff', () => {
  it('starts at 750 ms and doubles up to the cap', () => {
    const b = new Backoff({ capMs: 10_000 });
    expect([1, 2, 3, 4, 5, 6, 20].map((n) => b.delayMs(n))).toEqual([750, 1500, 3000, 6000, 10_000, 10_000, 10_000]);
  });

  it('holds a failing volume back until its retry time, and a success resets it', () => {
    const b = new Backoff();
    expect(b.fail('local/a', 1000)).toBe(1750);
    expect(b.waiting('local/a', 1700)).toBe(true);
    expect(b.waiting('local/a', 1750)).toBe(false);
    expect(b.waiting('local/b', 1700)).toBe(false);
    expect(b.fail('local/a', 2000)).toBe(3500);
    expect(b.failuresOf('local/a')).toBe(2);
    expect(b.nextRetry(2000)).toBe(3500);
    b.succeed('local/a');
    expect(b.failuresOf('local/a')).toBe(0);
    expect(b.nextRetry(2000)).toBeNull();
  });

  it('caps at 15 minutes by default', () => {
    expect(new Backoff().delayMs(40)).toBe(15 * 60_000);
  });
});

describe('jitter', () => {
  it('stays within ±5 % and reaches both ends', () => {
    expect(jitter(10_000, 0.05, () => 0)).toBe(9_500);
    expect(jitter(10_000, 0.05, () => 1)).toBe(10_500);
    for (let i = 0; i < 1000; i++) {
      const v = jitter(10_000);
      expect(v).toBeGreaterThanOrEqual(9_500);
      expect(v).toBeLessThanOrEqual(10_500);
    }
  });
});
