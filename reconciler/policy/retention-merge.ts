/**
 * Dropping a snapshot means merging it away, as WalB does: the diffs on both sides become one and the
 * snapshot between them becomes implicit. For each maximal run of crossable boundaries (diff-chain.ts)
 * that holds at least one dropped snapshot, one merge. A dropped snapshot on a boundary that cannot be
 * crossed stays for now, with the reason.
 */
import type { ObservedDiff } from '../../common/observed.js';
import { Boundaries, type Blocker } from './diff-chain.js';

export interface DropMerge {
  from: number;
  to: number;
  /** The dropped snapshots this merge removes. */
  drops: number[];
}

export interface DropPlan {
  merges: DropMerge[];
  /** Dropped snapshots no merge can remove yet. */
  stuck: { gid: number; why: Blocker | 'not-a-boundary' }[];
}

export function dropMerges(diffs: readonly ObservedDiff[], sets: { drop: ReadonlySet<number>; barriers: ReadonlySet<number> }): DropPlan {
  const { drop } = sets;
  const bounds = new Boundaries(diffs, { barriers: sets.barriers, dropped: drop });
  const merges: DropMerge[] = [];
  const stuck: DropPlan['stuck'] = [];
  const onBoundary = new Set<number>();
  let run: DropMerge | null = null;
  for (let i = 0; i < diffs.length - 1; i++) {
    const gid = diffs[i]!.e.b;
    const blocker = bounds.blocker(i);
    if (drop.has(gid) && diffs[i]!.e.b === diffs[i]!.e.e) onBoundary.add(gid);
    if (blocker === null) {
      run ??= { from: i, to: i, drops: [] };
      run.to = i + 1;
      if (drop.has(gid)) run.drops.push(gid);
      continue;
    }
    if (drop.has(gid)) stuck.push({ gid, why: blocker });
    if (run && run.drops.length > 0) merges.push(run);
    run = null;
  }
  if (run && run.drops.length > 0) merges.push(run);
  if (onBoundary.size < drop.size) {
    for (const gid of [...drop].sort((a, b) => a - b)) {
      if (!onBoundary.has(gid)) stuck.push({ gid, why: 'not-a-boundary' });
    }
  }
  if (stuck.length > 1) stuck.sort((a, b) => a.gid - b.gid);
  return { merges, stuck };
}
