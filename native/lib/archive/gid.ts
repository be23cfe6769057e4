/**
 * The gid algebra of WalB's archive (spec: walb-formats.md, "Snapshots, gids and diff file names").
 * A snapshot `|b,e|` is clean when b === e. A diff goes from snapshot `b` to snapshot `e` and is
 * mergeable (M) and/or compared (C). Pure functions only.
 */
import type { GidSnap } from '../../../common/observed.js';

export type { GidSnap };

/** The diff facts the algebra needs (a subset of ArchiveDiff). */
export interface DiffSpan {
  b: GidSnap;
  e: GidSnap;
  mergeable: boolean;
  compared: boolean;
}

export function snap(b: number, e: number = b): GidSnap {
  return { b, e };
}

export function isClean(s: GidSnap): boolean {
  return s.b === s.e;
}

export function sameSnap(x: GidSnap, y: GidSnap): boolean {
  return x.b === y.b && x.e === y.e;
}

/** `|5|` for a clean snapshot, `|5,9|` for a dirty one: WalB's text form. */
export function formatSnap(s: GidSnap): string {
  return isClean(s) ? `|${s.b}|` : `|${s.b},${s.e}|`;
}

/** `<5>` or, while an apply runs, `<5-->9>`. */
export function formatBase(base: { b: GidSnap; e?: GidSnap }): string {
  const inner = (s: GidSnap) => formatSnap(s).slice(1, -1);
  return base.e ? `<${inner(base.b)}-->${inner(base.e)}>` : `<${inner(base.b)}>`;
}

/**
 * True when `d` can be applied to an image at snapshot `s`: `d.b.b <= s.b < d.e.b` for a diff of
 * writes (a log's, a scan's between consecutive snapshots: writing again what the image already
 * has is harmless); exactly at `d.b` for a compared diff (a hash backup's or a hash replication's),
 * which holds only the blocks that differed from the image it compared — applied to a later image
 * it would leave that image's newer blocks where the compared one had older ones (WalB's relation
 * for such a diff is the same: applicable at its start only).
 */
export function canApply(s: GidSnap, d: DiffSpan): boolean {
  if (d.compared) return s.b === d.b.b && s.e === d.b.e;
  return d.b.b <= s.b && s.b < d.e.b;
}

/**
 * The snapshot an image at `s` reaches once `d` is applied. A diff that ends before a dirty image's
 * end leaves it dirty up to that end.
 */
export function applySnap(s: GidSnap, d: DiffSpan): GidSnap {
  return { b: d.e.b, e: Math.max(d.e.e, s.e) };
}

/**
 * WalB's merge rule for `d0` followed by `d1`: d1 is mergeable, neither is compared, and
 * `d0.b.b <= d1.b.b <= d0.e.b < d1.e.b`.
 */
export function canMerge(d0: DiffSpan, d1: DiffSpan): boolean {
  return d1.mergeable && !d0.compared && !d1.compared && d0.b.b <= d1.b.b && d1.b.b <= d0.e.b && d0.e.b < d1.e.b;
}

/** Why `d0` then `d1` cannot be merged, or null when they can. */
export function mergeRefusal(d0: DiffSpan, d1: DiffSpan): string | null {
  if (d0.compared || d1.compared) return 'a compared diff (from a hash backup) is never merged';
  if (!d1.mergeable) return `gid ${d1.b.b} is an explicit snapshot (the diff starting there is not mergeable)`;
  if (!(d0.b.b <= d1.b.b && d1.b.b <= d0.e.b && d0.e.b < d1.e.b)) return 'the diffs are not consecutive';
  return null;
}

/** The span of `d0` merged with `d1`: from d0.b to d1.e, with d0's mergeable flag, never compared. */
export function mergeSpan(d0: DiffSpan, d1: DiffSpan): DiffSpan {
  return { b: d0.b, e: d1.e, mergeable: d0.mergeable, compared: false };
}
