/**
 * walb-worker's merge choice: among runs of mergeable diffs within the count and size limits, take
 * the run with the smallest average diff size (ties: the oldest run). A run never includes the newest
 * diff and never crosses a barrier (see diff-chain.ts). Returns null when no run of two or more exists.
 */
import type { ObservedDiff } from '../model/observed.js';
import { boundaryBlocker } from './diff-chain.js';

export interface MergeLimits {
  maxNr: number;
  maxSizeBytes: number;
}

export interface MergeRun {
  /** Index of the first and last diff of the run in the (sorted) chain. */
  from: number;
  to: number;
  count: number;
  bytes: number;
}

export function chooseMerge(diffs: readonly ObservedDiff[], limits: MergeLimits, barriers: ReadonlySet<number>): MergeRun | null {
  let best: MergeRun | null = null;
  for (let from = 0; from < diffs.length - 1; from++) {
    let bytes = diffs[from]!.dataSize;
    let to = from;
    while (
      to + 1 < diffs.length &&
      to + 1 - from + 1 <= limits.maxNr &&
      bytes + diffs[to + 1]!.dataSize <= limits.maxSizeBytes &&
      boundaryBlocker(diffs, to, barriers) === null
    ) {
      to += 1;
      bytes += diffs[to]!.dataSize;
    }
    if (to === from) continue;
    const run = { from, to, count: to - from + 1, bytes };
    if (!best || run.bytes / run.count < best.bytes / best.count) best = run;
  }
  return best;
}

/** An urgent merge is due at `thresholdNr` diffs; a periodic one every `intervalSeconds`. */
export function mergeDue(
  diffCount: number,
  policy: { thresholdNr: number; intervalSeconds: number },
  timing: { lastMergeAt: number | null; now: number },
): 'urgent' | 'periodic' | null {
  if (diffCount >= policy.thresholdNr) return 'urgent';
  if (timing.lastMergeAt === null || timing.now - timing.lastMergeAt >= policy.intervalSeconds * 1000) return 'periodic';
  return null;
}
