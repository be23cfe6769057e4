/**
 * A hole in an archive's chain, in words for plan reasons and drift: which gids it lies between and,
 * when the archive's check set a corrupt diff aside there, which one and what the check found.
 */
import type { ObservedChainHealth, ObservedStorage, SetAsideDiff } from '../../common/observed.js';

export interface Hole {
  after: number;
  before: number;
}

/** The set-aside diffs that lay inside `hole` (a diff from gid `after` up to `before` at most). */
export function setAsideIn(hole: Hole, setAside: readonly SetAsideDiff[] | undefined): SetAsideDiff[] {
  return (setAside ?? []).filter((d) => d.from >= hole.after && d.to <= hole.before);
}

/** `missing diffs between gid 5 and gid 9 (its check set aside X.wdiff as corrupt: …)`. */
export function describeHole(hole: Hole, setAside: readonly SetAsideDiff[] | undefined): string {
  const aside = setAsideIn(hole, setAside).map((d) => `; its check set aside ${d.file} as corrupt: ${d.reason}`).join('');
  return `missing diffs between gid ${hole.after} and gid ${hole.before}${aside ? ` (${aside.slice(2)})` : ''}`;
}

/**
 * The hole in a remote archive's chain as the storage host sees it: the one the archive answered,
 * else — when its chain now ends before `acknowledged`, the newest gid it acknowledged holding (the
 * outbox's base) — the diffs it lost from its end (`lost`: no later diff shows that gap there).
 */
export function remoteHole(chain: ObservedChainHealth | undefined, acknowledged: number | undefined): (Hole & { lost: boolean }) | null {
  if (!chain) return null;
  if (chain.hole) return { ...chain.hole, lost: false };
  if (acknowledged !== undefined && chain.contiguousTo < acknowledged) return { after: chain.contiguousTo, before: acknowledged, lost: true };
  return null;
}

/**
 * The diffs an archive on the storage's own host lost from its end: a scan storage advances its gid
 * only after the archive took the diff (native/lib/storage/pending.ts), so a chain that ends before
 * the storage's newest gid lost what lay past its end — no later diff shows that gap. (A wdev's gid
 * runs ahead of its archive while its log ships, so there it says nothing.)
 */
export function localLostTail(contiguousTo: number, storage: ObservedStorage | undefined): (Hole & { lost: true }) | null {
  if (!storage || storage.capture !== 'scan' || storage.state === 'Clear' || storage.latestGid === null) return null;
  return storage.latestGid > contiguousTo ? { after: contiguousTo, before: storage.latestGid, lost: true } : null;
}

/** A hole in words: `missing diffs …`, or for a lost end, where the chain ends and the gid it fell short of. */
export function describeLocalHole(hole: Hole & { lost?: boolean }, setAside: readonly SetAsideDiff[] | undefined): string {
  return hole.lost ? `chain ends at gid ${hole.after}, short of gid ${hole.before} this host's storage has taken` : `archive is ${describeHole(hole, setAside)}`;
}
