/**
 * The diff chain of an archive: which snapshots are reachable from the base through the diffs,
 * which of them are restorable (clean), and the shortest list of diffs that reaches a gid.
 * Pure functions over the diff list (file names are the list).
 */
import type { DiffName } from './diff-name.js';
import type { GidSnap } from './gid.js';
import { applySnap, canApply, isClean } from './gid.js';

export interface ChainDiff extends DiffName {
  file: string;
}

export interface Reached<D extends ChainDiff> {
  snap: GidSnap;
  /** Diffs applied, in order, from the base. */
  path: D[];
  /** Timestamp of the last diff applied, or null for the base itself. */
  timestamp: string | null;
}

const key = (s: GidSnap) => `${s.b},${s.e}`;

/** Every snapshot reachable from `start`, each with the fewest diffs that reach it (breadth first). */
export function reachable<D extends ChainDiff>(start: GidSnap, diffs: readonly D[]): Reached<D>[] {
  const seen = new Map<string, Reached<D>>([[key(start), { snap: start, path: [], timestamp: null }]]);
  let frontier = [seen.get(key(start))!];
  while (frontier.length > 0) {
    const next: Reached<D>[] = [];
    for (const r of frontier) {
      for (const d of diffs) {
        if (!canApply(r.snap, d)) continue;
        const s = applySnap(r.snap, d);
        if (seen.has(key(s))) continue;
        const reached = { snap: s, path: [...r.path, d], timestamp: d.timestamp };
        seen.set(key(s), reached);
        next.push(reached);
      }
    }
    frontier = next;
  }
  return [...seen.values()].sort((x, y) => x.snap.b - y.snap.b || x.snap.e - y.snap.e);
}

/** Clean snapshots reachable from the base, oldest first (the base itself when clean). */
export function restorableSnaps<D extends ChainDiff>(start: GidSnap, diffs: readonly D[]): Reached<D>[] {
  return reachable(start, diffs).filter((r) => isClean(r.snap));
}

/** The diffs that take the base to the clean snapshot `gid`, or null when it is not restorable. */
export function pathTo<D extends ChainDiff>(start: GidSnap, diffs: readonly D[], gid: number): D[] | null {
  const hit = reachable(start, diffs).find((r) => r.snap.b === gid && r.snap.e === gid);
  return hit ? hit.path : null;
}

/** The newest snapshot reachable from the base (clean or dirty): what the archive holds now. */
export function latestSnap<D extends ChainDiff>(start: GidSnap, diffs: readonly D[]): Reached<D> {
  const all = reachable(start, diffs);
  return all.reduce((best, r) => (r.snap.b > best.snap.b || (r.snap.b === best.snap.b && r.snap.e < best.snap.e) ? r : best));
}

/** Diffs that no path from the base uses (stale ones before the base, or past a gap). */
export function unreachableDiffs<D extends ChainDiff>(start: GidSnap, diffs: readonly D[]): D[] {
  const used = new Set<string>();
  const all = reachable(start, diffs);
  const snaps = all.map((r) => r.snap);
  for (const d of diffs) if (snaps.some((s) => canApply(s, d))) used.add(d.file);
  return diffs.filter((d) => !used.has(d.file));
}
