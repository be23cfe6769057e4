/**
 * The invariants of reconciler/policy/design.md checked on random diff chains (a seeded generator, so a
 * failure reproduces): merges never include the newest diff, never cross a barrier, a gap or a
 * non-mergeable diff, and stay within the limits; retention merges cover only crossable boundaries and
 * remove only dropped or implicit snapshots; apply never passes its limit.
 */
import { describe, expect, it } from 'vitest';

import type { ObservedDiff } from '../../../common/observed.js';
import { applyTarget } from '../../../reconciler/policy/apply-point.js';
import { Boundaries } from '../../../reconciler/policy/diff-chain.js';
import { chooseMerge } from '../../../reconciler/policy/merge-choice.js';
import { dropMerges } from '../../../reconciler/policy/retention-merge.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomChain(r: () => number): ObservedDiff[] {
  const n = 2 + Math.floor(r() * 14);
  const diffs: ObservedDiff[] = [];
  let at = 0;
  for (let i = 0; i < n; i++) {
    if (r() < 0.05) at += 3; // a gap
    const e = at + 1 + Math.floor(r() * 5);
    diffs.push({
      b: { b: at, e: at }, e: { b: e, e }, mergeable: r() > 0.15, compared: false,
      timestamp: new Date(Date.UTC(2026, 10, 20) + i * 3600_000).toISOString(), dataSize: 1 + Math.floor(r() * 1000), file: `d${i}`,
    });
    at = e;
  }
  return diffs;
}

const pickSet = (r: () => number, from: number[], p: number): Set<number> => new Set(from.filter(() => r() < p));

describe('merge, drop and apply invariants on random chains', () => {
  it('hold for 2,000 random chains', () => {
    const r = rng(20261121);
    for (let round = 0; round < 2000; round++) {
      const diffs = randomChain(r);
      const ends = diffs.map((d) => d.e.b);
      const barriers = pickSet(r, ends, 0.3);
      const limits = { maxNr: 2 + Math.floor(r() * 6), maxSizeBytes: 200 + Math.floor(r() * 3000), barriers };
      const bounds = new Boundaries(diffs, { barriers });
      const context = `round ${round}`;

      const run = chooseMerge(diffs, limits);
      if (run) {
        expect(run.to, context).toBeLessThan(diffs.length - 1);
        expect(run.count, context).toBeLessThanOrEqual(limits.maxNr);
        expect(run.bytes, context).toBeLessThanOrEqual(limits.maxSizeBytes);
        for (let i = run.from; i < run.to; i++) expect(bounds.blocker(i), context).toBeNull();
      }

      const drop = pickSet(r, ends.filter((g) => !barriers.has(g)), 0.5);
      const plan = dropMerges(diffs, { drop, barriers });
      const dropBounds = new Boundaries(diffs, { barriers, dropped: drop });
      const removed = new Set<number>();
      for (const m of plan.merges) {
        expect(m.to, context).toBeLessThan(diffs.length - 1);
        for (let i = m.from; i < m.to; i++) {
          expect(dropBounds.blocker(i), context).toBeNull();
          if (!diffs[i + 1]!.mergeable) expect(drop.has(diffs[i]!.e.b), context).toBe(true);
          removed.add(diffs[i]!.e.b);
        }
        expect(m.drops.length, context).toBeGreaterThan(0);
      }
      for (const g of removed) expect(barriers.has(g), context).toBe(false);
      for (const g of drop) expect(removed.has(g) || plan.stuck.some((s) => s.gid === g), context).toBe(true);

      const limitGid = r() < 0.5 ? null : ends[Math.floor(r() * ends.length)]!;
      const target = applyTarget({ b: 0, e: 0 }, diffs, { cutoff: Date.UTC(2026, 10, 20) + Math.floor(r() * 16) * 3600_000, limitGid });
      if (target && limitGid !== null) expect(target.gid, context).toBeLessThanOrEqual(limitGid);
    }
  });
});
