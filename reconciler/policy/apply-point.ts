/**
 * Apply points: fold the diffs older than the declared age into the base. The target is the newest
 * clean snapshot reached from the base through contiguous diffs that are all older than the cutoff,
 * and never past `limitGid` — the oldest snapshot retention must keep (it may become the base, which
 * keeps it restorable, but nothing older than it stays).
 */
import type { GidSnap, ObservedDiff } from '../../common/observed.js';
import { sameSnap } from './diff-chain.js';

export interface ApplyTarget {
  gid: number;
  /** Diffs folded in, and their bytes. */
  count: number;
  bytes: number;
}

export interface ApplyOptions {
  /** Diffs whose end snapshot is at or before this time (ms) may be applied. */
  cutoff: number;
  /** Never apply past this gid; null: no limit. */
  limitGid: number | null;
}

export function applyTarget(base: GidSnap, diffs: readonly ObservedDiff[], options: ApplyOptions): ApplyTarget | null {
  let at = base;
  let count = 0;
  let bytes = 0;
  let best: ApplyTarget | null = null;
  for (const d of diffs) {
    if (!sameSnap(d.b, at)) break;
    if (Date.parse(d.timestamp) > options.cutoff) break;
    if (options.limitGid !== null && d.e.e > options.limitGid) break;
    at = d.e;
    count += 1;
    bytes += d.dataSize;
    if (d.e.b === d.e.e) best = { gid: d.e.b, count, bytes };
  }
  return best;
}
