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
  const byGid = [...snaps].sort((a, b) => a.gid - b.gid);
  if (rules.length === 0) {
    for (const s of byGid) add(s.gid, 'no retention declared');
    return { keep, drop: [] };
  }
  add(byGid[byGid.length - 1]!.gid, 'newest snapshot');
  for (const [host, position] of Object.entries(options.replicas ?? {}).sort()) {
    const shared = byGid.filter((s) => s.gid <= position).pop();
    if (shared) add(shared.gid, `newest snapshot shared with ${host}`);
  }
  const ordered = newestFirst(snaps);
  for (const rule of rules) {
    for (const [gid, why] of rule.keep(ordered, options.now)) add(gid, why);
  }
  const drop = byGid.filter((s) => !keep.has(s.gid)).map((s) => s.gid);
  return { keep, drop };
}
