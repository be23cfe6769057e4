import { describe, expect, it } from 'vitest';

import type { ObservedDiff } from '../../../common/observed.js';
import { chooseMerge, mergeDue } from '../../../reconciler/policy/merge-choice.js';

/** Diffs 0→1→2→… with the given sizes; `nm` marks indexes whose diff is not mergeable, `gapAt` breaks the chain before an index. */
function chain(sizes: number[], opts: { nm?: number[]; gapAt?: number } = {}): ObservedDiff[] {
  let at = 0;
  return sizes.map((size, i) => {
    if (i === opts.gapAt) at += 1;
    const d: ObservedDiff = { b: { b: at, e: at }, e: { b: at + 1, e: at + 1 }, mergeable: !opts.nm?.includes(i), compared: false, timestamp: '2026-11-21T00:00:00Z', dataSize: size, file: `d${i}` };
    at += 1;
    return d;
  });
}
const limits = { maxNr: 10, maxSizeBytes: 1_000_000 };
type Limits = typeof limits;
const pick = (diffs: ObservedDiff[], l: Limits = limits, barriers: number[] = []): [number, number] | null => {
  const r = chooseMerge(diffs, { ...l, barriers: new Set(barriers) });
  return r ? [r.from, r.to] : null;
};

describe('chooseMerge (walb-worker\'s rule)', () => {
  it.each([
    { name: 'takes the run with the smallest average size', diffs: chain([500, 500, 10, 10, 500, 500]), want: [2, 3] },
    { name: 'prefers the longer run on an equal average', diffs: chain([10, 10, 10, 10, 900]), want: [0, 3] },
    { name: 'never includes the newest diff', diffs: chain([900, 900, 1, 1]), want: [1, 2] },
    { name: 'finds nothing with two diffs (the newest cannot merge)', diffs: chain([1, 1]), want: null },
    { name: 'never crosses a barrier snapshot (an explicit snapshot kept, a replica position)', diffs: chain([10, 10, 500, 500, 9]), barriers: [1], want: [1, 2] },
    { name: 'never merges a diff that is not mergeable into its predecessor', diffs: chain([1, 1, 900, 900, 9], { nm: [1] }), want: [1, 2] },
    { name: 'never merges across a gap in the chain', diffs: chain([1, 1, 900, 900, 9], { gapAt: 1 }), want: [1, 2] },
    { name: 'respects maxNr', diffs: chain([10, 10, 10, 10, 10, 900]), limits: { maxNr: 2, maxSizeBytes: 1_000_000 }, want: [0, 1] },
    { name: 'respects maxSizeBytes', diffs: chain([60, 60, 60, 900]), limits: { maxNr: 10, maxSizeBytes: 100 }, want: null },
  ])('$name', ({ diffs, limits: l, barriers, want }) => {
    expect(pick(diffs, l ?? limits, barriers ?? [])).toEqual(want);
  });
});

describe('mergeDue', () => {
  const policy = { thresholdNr: 5, intervalSeconds: 3600 };
  const now = Date.parse('2026-11-21T12:00:00Z');
  it.each([
    { name: 'urgent at the threshold', count: 5, last: now, want: 'urgent' },
    { name: 'periodic when the interval passed', count: 2, last: now - 3600_000, want: 'periodic' },
    { name: 'periodic when no merge is known', count: 2, last: null, want: 'periodic' },
    { name: 'not due within the interval below the threshold', count: 4, last: now - 60_000, want: null },
  ])('$name', ({ count, last, want }) => {
    expect(mergeDue(count, policy, { lastMergeAt: last, now })).toBe(want);
  });
});
