import { describe, expect, it } from 'vitest';

import { latestSnap, pathTo, restorableSnaps, unreachableDiffs, type ChainDiff } from '../../../native/lib/archive/chain.js';
import { formatDiffName, parseDiffName } from '../../../native/lib/archive/diff-name.js';

const diff = (name: string): ChainDiff => ({ ...parseDiffName(name)!, file: name });
const list = (...names: string[]) => names.map(diff);

describe('the diff chain', () => {
  const chain = list('20260101000000-M--0-1-2-2.wdiff', '20260101000100----2-3.wdiff', '20260101000200-M--3-4.wdiff');

  it('lists the clean snapshots reachable from a dirty full-backup base', () => {
    expect(restorableSnaps({ b: 0, e: 1 }, chain).map((r) => r.snap.b)).toEqual([2, 3, 4]);
  });

  it('counts a clean base as restorable with no diff', () => {
    const r = restorableSnaps({ b: 2, e: 2 }, chain.slice(1));
    expect(r.map((x) => [x.snap.b, x.path.length])).toEqual([
      [2, 0],
      [3, 1],
      [4, 2],
    ]);
  });

  it('finds the diffs that lead to a gid, and none for a gid that is not there', () => {
    expect(pathTo({ b: 0, e: 1 }, chain, 3)!.map((d) => d.file)).toEqual([chain[0]!.file, chain[1]!.file]);
    expect(pathTo({ b: 0, e: 1 }, chain, 1)).toBeNull();
    expect(pathTo({ b: 0, e: 1 }, chain, 9)).toBeNull();
  });

  it('prefers a merged diff over the inputs it replaced (fewest diffs)', () => {
    const merged = diff(formatDiffName({ b: { b: 2, e: 2 }, e: { b: 4, e: 4 }, mergeable: false, compared: false, timestamp: '2026-01-01T00:02:00Z' }));
    expect(pathTo({ b: 0, e: 1 }, [...chain, merged], 4)!.map((d) => d.file)).toEqual([chain[0]!.file, merged.file]);
  });

  it('stops at a gap and reports the diffs past it as unreachable', () => {
    const gap = list('20260101000000-M--0-1-2-2.wdiff', '20260101000200-M--3-4.wdiff');
    expect(latestSnap({ b: 0, e: 1 }, gap).snap).toEqual({ b: 2, e: 2 });
    expect(unreachableDiffs({ b: 0, e: 1 }, gap).map((d) => d.file)).toEqual(['20260101000200-M--3-4.wdiff']);
  });

  it('reports diffs that end before the base as unreachable', () => {
    expect(unreachableDiffs({ b: 3, e: 3 }, chain).map((d) => d.e.b)).toEqual([2, 3]);
  });
});
