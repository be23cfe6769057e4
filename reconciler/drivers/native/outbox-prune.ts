/**
 * Keeping the outbox bounded: once the primary archive on another host has acknowledged a diff — it
 * answers a transfer only after installing and registering it, and its status call names the newest
 * gid it holds — the outbox no longer needs that diff as a diff. The outbox folds every diff up to the
 * newest clean snapshot the peer holds into its base (the archive's own crash-safe apply, `<B-->E>`),
 * so it keeps one image of the volume plus the diffs the peer has not acknowledged, however long the
 * volume runs. Nothing newer than what the peer acknowledged is touched: a sender killed between
 * sending a diff and its acknowledgement finds it in the outbox and sends it again (the peer answers
 * `already` if it had registered it). A new primary archive (the tree moved it) gets the folded base
 * as its full backup (a partial of the old base is not resumed: its identity names the old snapshot),
 * then the diffs after it.
 */
import { applyUpTo, observeArchive } from '../../../native/lib/archive/index.js';

export interface PruneResult {
  /** The gid the outbox's base was brought to, or null when nothing was folded. */
  baseGid: number | null;
  diffsFolded: number;
}

/** Folds the outbox's diffs up to the newest clean gid at or below `acknowledged` into its base. */
export async function pruneOutbox(outbox: string, vol: string, acknowledged: number | null): Promise<PruneResult> {
  const none = { baseGid: null, diffsFolded: 0 };
  if (acknowledged === null) return none;
  const staged = await observeArchive(outbox, vol);
  if (!staged || staged.state !== 'Archived' || staged.base.e) return none;
  const base = staged.base.b;
  const target = staged.restorable.map((r) => r.gid).filter((g) => g > base.b && g <= acknowledged).at(-1);
  if (target === undefined) return none;
  const r = await applyUpTo(outbox, vol, target);
  return { baseGid: r.gid, diffsFolded: r.diffsApplied };
}
