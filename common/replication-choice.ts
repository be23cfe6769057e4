/**
 * How a source archive brings a target archive to its newest snapshot, chosen as WalB's archive
 * chooses (`replicate`): a full replication when the target holds nothing or another lineage, the
 * diffs from the target's gid when the source still holds a chain of diffs applicable there (WalB's
 * `getApplicableDiffList`: a diff of writes applies to an image at any gid from its start up to
 * before its end, so a diff the source merged across the target's gid still serves), a hash
 * replication when the source applied past the target's gid, or only a compared diff (a hash
 * backup's, applicable where it was made) spans it. A pure function of the two
 * positions: the planner predicts with it from a cursor, the sender decides with it from what the
 * receiver reports. Diffs are merged in transfer up to a size limit, never across a snapshot the
 * caller names as a barrier (explicit snapshots the target must keep restorable).
 */
import type { GidSnap, ObservedDiff } from './observed.js';

export interface ReplicationSource {
  /** The lineage: the source archive's uuid, which a replicated target takes over. */
  uuid: string;
  base: { b: GidSnap; e?: GidSnap };
  /** The source's diffs, ordered by start gid. */
  diffs: readonly ObservedDiff[];
}

/** What the target holds: null when it holds nothing (Clear or SyncReady). */
export interface ReplicationTarget {
  uuid: string;
  /** The newest clean snapshot the target holds. */
  gid: number;
}

/** Diffs sent as one merged diff: positions `from..to` of the choice's `path`. */
export interface DiffBatch {
  from: number;
  to: number;
  gidB: number;
  gidE: number;
  bytes: number;
}

export type ReplicationChoice =
  | { kind: 'none'; why: 'up-to-date' | 'target-ahead' | 'source-empty'; toGid: number | null }
  | { kind: 'full'; why: 'target-empty' | 'other-lineage'; toGid: number }
  | { kind: 'diff'; fromGid: number; toGid: number; path: number[]; batches: DiffBatch[]; bytes: number }
  | { kind: 'hash'; why: 'applied-past' | 'merged-past' | 'gap'; fromGid: number; toGid: number };

/** WalB's archive limits for a replication's merge in transfer: 1 GiB of input diffs
 *  (DEFAULT_MAX_WDIFF_MERGE_MB) and 1000 files (DEFAULT_MAX_WDIFF_SEND_NR). */
export const REPLICATION_MERGE = { maxMergeBytes: 1 << 30, maxMergeCount: 1000 } as const;

export interface ChoiceOptions {
  /** Most bytes of diffs merged into one in transfer (WalB's maxMergeSize); a larger diff goes alone. */
  maxMergeBytes: number;
  /** Most diffs merged into one in transfer (WalB's maxWdiffSendNr); unlimited when absent. */
  maxMergeCount?: number;
  /** Snapshots a merge in transfer never crosses. */
  barriers?: ReadonlySet<number>;
}

export function chooseReplication(source: ReplicationSource, target: ReplicationTarget | null, options: ChoiceOptions): ReplicationChoice {
  const newest = newestClean(source);
  if (newest === null) return { kind: 'none', why: 'source-empty', toGid: null };
  if (target === null) return { kind: 'full', why: 'target-empty', toGid: newest };
  if (target.uuid !== source.uuid) return { kind: 'full', why: 'other-lineage', toGid: newest };
  if (target.gid === newest) return { kind: 'none', why: 'up-to-date', toGid: newest };
  if (target.gid > newest) return { kind: 'none', why: 'target-ahead', toGid: newest };
  const base = source.base.e ?? source.base.b;
  if (base.b > target.gid) return { kind: 'hash', why: 'applied-past', fromGid: target.gid, toGid: newest };
  const from = { b: target.gid, e: target.gid };
  if (nextApplicable(source.diffs, from) < 0) {
    const inside = source.diffs.some((d) => d.b.b < target.gid && d.e.e > target.gid);
    return { kind: 'hash', why: inside ? 'merged-past' : 'gap', fromGid: target.gid, toGid: newest };
  }
  const path = pathFrom(source.diffs, from, newest);
  if (path === null) return { kind: 'hash', why: 'gap', fromGid: target.gid, toGid: newest };
  const batches = mergeBatches(path.map((i) => source.diffs[i]!), options);
  let bytes = 0;
  for (const b of batches) bytes += b.bytes;
  return { kind: 'diff', fromGid: target.gid, toGid: newest, path, batches, bytes };
}

/**
 * WalB's relation of a diff to an image at snapshot `at` (meta.hpp `canApply`): a diff of writes
 * applies from its start up to before its end (writing again what the image already holds is
 * harmless, and the diff's last write of each block is what the image held at its end); a compared
 * diff holds only the blocks that differed from the image it was made against: exactly there.
 */
function applicable(d: ObservedDiff, at: GidSnap): boolean {
  if (d.compared) return d.b.b === at.b && d.b.e === at.e;
  return d.b.b <= at.b && at.b < d.e.b;
}

/**
 * The diff applicable at `at` that goes furthest (WalB's `getMaxProgressDiff`) without passing
 * `upTo`, the earliest on a tie; -1 when none.
 */
function nextApplicable(diffs: readonly ObservedDiff[], at: GidSnap, upTo = Infinity): number {
  let best = -1;
  for (let i = 0; i < diffs.length; i++) {
    const d = diffs[i]!;
    if (applicable(d, at) && d.e.b <= upTo && (best < 0 || d.e.b > diffs[best]!.e.b)) best = i;
  }
  return best;
}

/**
 * The diffs (indices, in the order applied) that take an image at `from` to the clean snapshot
 * `newest`, each the one applicable where the one before left the image that goes furthest (WalB's
 * `getApplicableDiffList`); null when the chain has a gap before `newest`.
 */
function pathFrom(diffs: readonly ObservedDiff[], from: GidSnap, newest: number): number[] | null {
  const path: number[] = [];
  let at = from;
  // Each diff applied moves the image's gid forward (a diff applies only before its end): this ends.
  while (!(at.b === newest && at.e === newest)) {
    if (at.b >= newest) return null;
    const i = nextApplicable(diffs, at, newest);
    if (i < 0) return null;
    const d = diffs[i]!;
    path.push(i);
    at = { b: d.e.b, e: Math.max(d.e.e, at.e) };
  }
  return path;
}

/**
 * May `d` (the diff after `open`'s last) be merged into `open` in transfer? WalB's rules: the later
 * diff mergeable, neither compared, no barrier at the joint, and the batch within the byte and count
 * limits.
 */
function joinsBatch(open: DiffBatch, d: ObservedDiff, diffs: readonly ObservedDiff[], options: ChoiceOptions): boolean {
  if (!d.mergeable || d.compared || options.barriers?.has(d.b.b)) return false;
  if (diffs[open.from]!.compared) return false; // a later compared diff never joined the batch
  if (open.bytes + d.dataSize > options.maxMergeBytes) return false;
  return options.maxMergeCount === undefined || open.to - open.from + 1 < options.maxMergeCount;
}

/** Splits a contiguous run of diffs into the batches merged in transfer (indices into `run`). */
export function mergeBatches(run: readonly ObservedDiff[], options: ChoiceOptions): DiffBatch[] {
  const batches: DiffBatch[] = [];
  let open: DiffBatch | null = null;
  for (let i = 0; i < run.length; i++) {
    const d = run[i]!;
    if (open !== null && joinsBatch(open, d, run, options)) {
      open.to = i;
      open.gidE = d.e.b;
      open.bytes += d.dataSize;
    } else {
      open = { from: i, to: i, gidB: d.b.b, gidE: d.e.b, bytes: d.dataSize };
      batches.push(open);
    }
  }
  return batches;
}

/** The newest clean snapshot of a source: the last clean diff end, else a clean base. */
export function newestClean(source: Pick<ReplicationSource, 'base' | 'diffs'>): number | null {
  for (let i = source.diffs.length - 1; i >= 0; i--) {
    const d = source.diffs[i]!;
    if (d.e.b === d.e.e) return d.e.b;
  }
  const base = source.base.e ?? source.base.b;
  return base.b === base.e ? base.b : null;
}
