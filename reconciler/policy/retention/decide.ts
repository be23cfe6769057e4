/**
 * Retention's verdict for one archive: every rule names what it keeps; a snapshot goes only when no
 * rule keeps it. Besides the rules, some snapshots are pinned and never go: the newest snapshot, and
 * the newest snapshot shared with each replica (its position or older), so replication can always
 * resume from a common snapshot. No declared rule at all means keep everything.
 */
import { newestFirst, type RetentionRule, type Snap } from './rule.js';

export interface RetentionDecision {
  /** Kept gids, each with every reason that keeps it. */
  keep: Map<number, string[]>;
  /** Gids no rule keeps, oldest first. */
  drop: number[];
}

export interface DecideOptions {
  now: number;
  /** Replica host → the gid it holds up to. */
  replicas?: Record<string, number>;
}

export function decideRetention(snaps: readonly Snap[], rules: readonly RetentionRule[], options: DecideOptions): RetentionDecision {
  const keep = new Map<number, string[]>();
  const add = (gid: number, why: string): void => {
    const list = keep.get(gid);
    if (list) list.push(why);
    else keep.set(gid, [why]);
  };
  if (snaps.length === 0) return { keep, drop: [] };
  const byGid = ascendingByGid(snaps) ? snaps : [...snaps].sort((a, b) => a.gid - b.gid);
  if (rules.length === 0) {
    for (const s of byGid) add(s.gid, 'no retention declared');
    return { keep, drop: [] };
  }
  add(byGid[byGid.length - 1]!.gid, 'newest snapshot');
  if (options.replicas) {
    for (const [host, position] of Object.entries(options.replicas).sort()) {
      const shared = newestAtOrBefore(byGid, position);
      if (shared) add(shared.gid, `newest snapshot shared with ${host}`);
    }
  }
  const ordered = timesFollowGids(byGid) ? reversed(byGid) : newestFirst(snaps);
  for (const rule of rules) rule.keep(ordered, options.now).forEach((why, gid) => add(gid, why));
  const drop: number[] = [];
  for (const s of byGid) if (!keep.has(s.gid)) drop.push(s.gid);
  return { keep, drop };
}

function reversed(byGid: readonly Snap[]): Snap[] {
  const out: Snap[] = [];
  for (let i = byGid.length - 1; i >= 0; i--) out.push(byGid[i]!);
  return out;
}

function ascendingByGid(snaps: readonly Snap[]): boolean {
  for (let i = 1; i < snaps.length; i++) if (snaps[i]!.gid < snaps[i - 1]!.gid) return false;
  return true;
}

/** True when times never go back as gids go up: then newest first is simply the gid order reversed
 *  (the order newestFirst sorts into: time, then gid, both descending). */
function timesFollowGids(byGid: readonly Snap[]): boolean {
  for (let i = 1; i < byGid.length; i++) if (byGid[i]!.time < byGid[i - 1]!.time || byGid[i]!.gid === byGid[i - 1]!.gid) return false;
  return true;
}

function newestAtOrBefore(byGid: readonly Snap[], gid: number): Snap | undefined {
  for (let i = byGid.length - 1; i >= 0; i--) if (byGid[i]!.gid <= gid) return byGid[i];
  return undefined;
}
