/**
 * Where a chain of diffs may be merged. Between diff i and diff i+1 lies a boundary, the snapshot
 * at gid `diffs[i].e.b`. A merge may cross it only when the two diffs are contiguous, the later one
 * is mergeable (its M flag — WalB clears it on the diff after an explicit snapshot), the snapshot is
 * not a barrier (an explicit snapshot retention keeps, a replica's position), and the later diff is not
 * the newest one (walb-worker never merges the newest diff: the storage may still be extending it),
 * and neither is a compared diff (a hash backup's: never merged).
 * A snapshot retention drops is crossed despite the flag: dropping it means making it implicit and
 * merging it away (the merge action lists it in `drops`).
 */
import type { GidSnap, ObservedDiff } from '../../common/observed.js';

/** Shared with the data path (the archive's status answer states its chain's health). */
export { chainGaps, chainHealth, sortDiffs } from '../../common/diff-chain.js';

export function sameSnap(a: GidSnap, b: GidSnap): boolean {
  return a.b === b.b && a.e === b.e;
}

export type Blocker = 'gap' | 'compared' | 'not-mergeable' | 'barrier' | 'newest';

/** The boundaries of one chain of diffs, with the snapshots merges must not cross. */
export class Boundaries {
  readonly barriers: ReadonlySet<number>;
  readonly dropped: ReadonlySet<number>;

  constructor(
    readonly diffs: readonly ObservedDiff[],
    sets: { barriers: ReadonlySet<number>; dropped?: ReadonlySet<number> },
  ) {
    this.barriers = sets.barriers;
    this.dropped = sets.dropped ?? new Set();
  }

  /** Why the boundary after diff `i` cannot be crossed, or null when it can. */
  blocker(i: number): Blocker | null {
    const left = this.diffs[i]!;
    const right = this.diffs[i + 1];
    if (!right || !sameSnap(left.e, right.b)) return 'gap';
    if (i + 1 === this.diffs.length - 1) return 'newest';
    // A hash backup's diff is never merged, on either side (WalB's rule; the archive refuses it), even
    // where retention drops the snapshot between: an apply takes it into the base instead.
    if (left.compared || right.compared) return 'compared';
    if (!right.mergeable && !this.dropped.has(left.e.b)) return 'not-mergeable';
    if (this.barriers.has(left.e.b)) return 'barrier';
    return null;
  }
}

/** One diff standing for diffs[from..to] merged (for planning what comes after a merge). */
export function mergedDiff(diffs: readonly ObservedDiff[], from: number, to: number): ObservedDiff {
  const run = diffs.slice(from, to + 1);
  const first = run[0]!;
  const last = run[run.length - 1]!;
  return {
    b: first.b,
    e: last.e,
    mergeable: first.mergeable,
    compared: run.every((d) => d.compared),
    timestamp: last.timestamp,
    dataSize: run.reduce((n, d) => n + d.dataSize, 0),
    file: `${first.file}..${last.file}`,
  };
}
