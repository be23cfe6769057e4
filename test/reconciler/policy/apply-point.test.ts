import { describe, expect, it } from 'vitest';

import type { ObservedDiff } from '../../../common/observed.js';
import { applyTarget } from '../../../reconciler/policy/apply-point.js';

const T0 = Date.parse('2026-11-20T00:00:00Z');
/** Diffs 0→10→20→…, the i-th dated i hours after T0; `dirty` makes the i-th end snapshot dirty. */
function chain(n: number, dirty: number[] = []): ObservedDiff[] {
  return Array.from({ length: n }, (_, i) => ({
    b: { b: i * 10, e: dirty.includes(i - 1) ? i * 10 + 5 : i * 10 }, e: { b: (i + 1) * 10, e: dirty.includes(i) ? (i + 1) * 10 + 5 : (i + 1) * 10 },
    mergeable: true, compared: false, timestamp: new Date(T0 + i * 3600_000).toISOString(), dataSize: 100, file: `d${i}`,
  }));
}
const base = { b: 0, e: 0 };
const hours = (h: number): number => T0 + h * 3600_000;

describe('applyTarget', () => {
  it.each([
    { name: 'applies every diff older than the cutoff', diffs: chain(6), cutoff: hours(2), limit: null, want: { gid: 30, count: 3, bytes: 300 } },
    { name: 'applies nothing when the oldest diff is too young', diffs: chain(6), cutoff: hours(-1), limit: null, want: null },
    { name: 'never passes what retention must keep (it may become the base)', diffs: chain(6), cutoff: hours(10), limit: 20, want: { gid: 20, count: 2, bytes: 200 } },
    { name: 'stops at a gap in the chain', diffs: [...chain(2), { ...chain(4)[3]! }], cutoff: hours(10), limit: null, want: { gid: 20, count: 2, bytes: 200 } },
    { name: 'only applies up to a clean snapshot', diffs: chain(4, [1]), cutoff: hours(1), limit: null, want: { gid: 10, count: 1, bytes: 100 } },
  ])('$name', ({ diffs, cutoff, limit, want }) => {
    expect(applyTarget(base, diffs, { cutoff, limitGid: limit })).toEqual(want);
  });
});
