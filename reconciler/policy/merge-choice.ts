/**
 * walb-worker's merge choice: among all runs of two or more mergeable diffs within the count and size
 * limits, take the run with the smallest average diff size (ties: the longer run, then the older one). A run never includes the newest
 * diff and never crosses a barrier (see diff-chain.ts). Returns null when no run of two or more exists.
 */
import type { ObservedDiff } from '../../common/observed.js';
import { Boundaries } from './diff-chain.js';

export interface MergeLimits {
  maxNr: number;
  maxSizeBytes: number;
  /** Snapshots no merge may cross (explicit snapshots retention keeps, replica positions, the base). */
  barriers: ReadonlySet<number>;
}

export interface MergeRun {
  /** Index of the first and last diff of the run in the (sorted) chain. */
  from: number;
  to: number;
  count: number;
  bytes: number;
}

export function chooseMerge(diffs: readonly ObservedDiff[], limits: MergeLimits): MergeRun | null {
  const bounds = new Boundaries(diffs, { barriers: limits.barriers });
  let best: MergeRun | null = null;
  for (let from = 0; from < diffs.length - 1; from++) {
    let bytes = diffs[from]!.dataSize;
    for (let to = from + 1; to < diffs.length && to - from + 1 <= limits.maxNr; to++) {
      if (bounds.blocker(to - 1) !== null) break;
      bytes += diffs[to]!.dataSize;
      if (bytes > limits.maxSizeBytes) break;
      const run = { from, to, count: to - from + 1, bytes };
      if (!best || better(run, best)) best = run;
    }
  }
  return best;
}

/** Smaller average first; on a tie the longer run (it merges more), then the older one. */
function better(a: MergeRun, b: MergeRun): boolean {
  const d = a.bytes * b.count - b.bytes * a.count;
  if (d !== 0) return d < 0;
  return a.count > b.count;
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
