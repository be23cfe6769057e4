/**
 * The facts of an archive's diff chain that both the archive (its status call's answer) and the
 * planner read: the diffs in chain order, the holes where a diff does not start where the chain
 * before it ended, and a volume's chain health in one value (`ObservedChainHealth`).
 */
import type { GidSnap, ObservedChainHealth, ObservedDiff } from './observed.js';

type Diff = Pick<ObservedDiff, 'b' | 'e'>;

function sameSnap(a: GidSnap, b: GidSnap): boolean {
  return a.b === b.b && a.e === b.e;
}

/** Diffs ordered by their start gid (the order WalB's diff list has); the same array when already so. */
export function sortDiffs<D extends Diff>(diffs: readonly D[]): readonly D[] {
  for (let i = 1; i < diffs.length; i++) {
    const x = diffs[i - 1]!;
    const y = diffs[i]!;
    if (x.b.b > y.b.b || (x.b.b === y.b.b && x.e.e > y.e.e)) return [...diffs].sort((p, q) => p.b.b - q.b.b || p.e.e - q.e.e);
  }
  return diffs;
}

/** Gaps in the chain (diffs in chain order): where one diff does not start where the previous ended (or the base). */
export function chainGaps(base: { b: GidSnap; e?: GidSnap }, diffs: readonly Diff[]): { after: number; before: number }[] {
  return walk(base, diffs).gaps;
}

function walk(base: { b: GidSnap; e?: GidSnap }, diffs: readonly Diff[]): { gaps: { after: number; before: number }[]; contiguousTo: number } {
  const gaps: { after: number; before: number }[] = [];
  let at = base.e ?? base.b;
  let contiguousTo: number | null = null;
  for (const d of diffs) {
    if (d.e.e <= at.e) continue; // already covered by the base (applied)
    if (!sameSnap(d.b, at) && d.b.b > at.e) {
      gaps.push({ after: at.e, before: d.b.b });
      contiguousTo ??= at.e;
    }
    at = d.e;
  }
  return { gaps, contiguousTo: contiguousTo ?? at.e };
}

/**
 * An archive's chain health: how far the chain runs from the base without a hole, the first hole,
 * and the diffs its check set aside as corrupt (`setAside`, given by the caller). A set-aside diff
 * the chain does not reach past is a hole too, even when it was the newest diff (no later diff then
 * shows the gap): the storage acknowledged it as held, and a diff continuing from its end would be
 * refused.
 */
export function chainHealth(base: { b: GidSnap; e?: GidSnap }, diffs: readonly Diff[], setAside: ObservedChainHealth['setAside'] = []): ObservedChainHealth {
  const w = walk(base, sortDiffs(diffs));
  const lost = setAside.filter((d) => d.to > w.contiguousTo).map((d) => d.to);
  const hole = w.gaps[0] ?? (lost.length ? { after: w.contiguousTo, before: Math.min(...lost) } : null);
  return { contiguousTo: w.contiguousTo, hole, setAside };
}
