import { describe, expect, it } from 'vitest';

import { applySnap, canApply, canMerge, formatBase, formatSnap, mergeRefusal, mergeSpan, type DiffSpan } from '../../../native/lib/archive/gid.js';

const d = (b: [number, number], e: [number, number], flags = 'M-'): DiffSpan => ({
  b: { b: b[0], e: b[1] },
  e: { b: e[0], e: e[1] },
  mergeable: flags[0] === 'M',
  compared: flags[1] === 'C',
});

describe('the gid algebra', () => {
  it('writes clean snapshots as |B| and dirty ones as |B,E|', () => {
    expect(formatSnap({ b: 5, e: 5 })).toBe('|5|');
    expect(formatSnap({ b: 5, e: 9 })).toBe('|5,9|');
  });

  it('writes the base as <B> and, while an apply runs, <B-->E>', () => {
    expect(formatBase({ b: { b: 3, e: 3 } })).toBe('<3>');
    expect(formatBase({ b: { b: 0, e: 1 } })).toBe('<0,1>');
    expect(formatBase({ b: { b: 3, e: 3 }, e: { b: 7, e: 7 } })).toBe('<3-->7>');
  });

  it('applies a diff when d.B.b <= s.b < d.E.b', () => {
    expect(canApply({ b: 0, e: 1 }, d([0, 1], [2, 2]))).toBe(true);
    expect(canApply({ b: 2, e: 2 }, d([2, 2], [3, 3]))).toBe(true);
    expect(canApply({ b: 3, e: 3 }, d([2, 2], [3, 3]))).toBe(false);
    expect(canApply({ b: 1, e: 1 }, d([2, 2], [3, 3]))).toBe(false);
  });

  it('applies a compared diff (a hash backup\'s) only to the very image it was made against', () => {
    expect(canApply({ b: 13, e: 13 }, d([13, 13], [18, 18], '-C'))).toBe(true);
    expect(canApply({ b: 0, e: 1 }, d([0, 1], [4, 4], '-C'))).toBe(true);
    // Later images inside its span: a write diff would do, a compared one would leave newer blocks.
    expect(canApply({ b: 15, e: 15 }, d([13, 13], [18, 18], '-C'))).toBe(false);
    expect(canApply({ b: 15, e: 15 }, d([13, 13], [18, 18], '--'))).toBe(true);
    expect(canApply({ b: 0, e: 2 }, d([0, 1], [4, 4], '-C'))).toBe(false);
    expect(canApply({ b: 12, e: 12 }, d([13, 13], [18, 18], '-C'))).toBe(false);
  });

  it('leaves a dirty image dirty up to its end when the diff ends before it', () => {
    expect(applySnap({ b: 0, e: 9 }, d([0, 0], [4, 4]))).toEqual({ b: 4, e: 9 });
    expect(applySnap({ b: 0, e: 1 }, d([0, 1], [2, 2]))).toEqual({ b: 2, e: 2 });
  });

  it('merges d0 then d1 only when d1 is mergeable, neither is compared and they are consecutive', () => {
    expect(canMerge(d([2, 2], [3, 3], '--'), d([3, 3], [4, 4], 'M-'))).toBe(true);
    expect(canMerge(d([2, 2], [3, 3]), d([3, 3], [4, 4], '--'))).toBe(false);
    expect(canMerge(d([2, 2], [3, 3], 'MC'), d([3, 3], [4, 4]))).toBe(false);
    expect(canMerge(d([2, 2], [3, 3]), d([3, 3], [4, 4], 'MC'))).toBe(false);
    expect(canMerge(d([2, 2], [3, 3]), d([4, 4], [5, 5]))).toBe(false);
    expect(canMerge(d([2, 2], [5, 5]), d([3, 3], [4, 4]))).toBe(false);
  });

  it('says why a merge is refused', () => {
    expect(mergeRefusal(d([2, 2], [3, 3]), d([3, 3], [4, 4], '--'))).toMatch(/gid 3 is an explicit snapshot/);
    expect(mergeRefusal(d([2, 2], [3, 3], '-C'), d([3, 3], [4, 4]))).toMatch(/compared/);
    expect(mergeRefusal(d([2, 2], [3, 3]), d([3, 3], [4, 4]))).toBeNull();
  });

  it("keeps d0's mergeable flag in a merged span", () => {
    expect(mergeSpan(d([2, 2], [3, 3], '--'), d([3, 3], [4, 4]))).toEqual(d([2, 2], [4, 4], '--'));
  });
});
