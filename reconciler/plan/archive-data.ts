/**
 * The data actions one Archived archive needs, in the order they run (they exclude each other in
 * WalB, so they form one chain): finish an interrupted apply, apply what is older than the declared
 * age (never past what retention keeps), merge away the snapshots retention drops, then one merge of
 * walb-worker's choice when due. Each step is planned against the chain as the previous steps leave
 * it, so later steps never touch diffs an earlier one removed.
 */
import type { DesiredVolume } from '../model/desired.js';
import type { GidSnap, ObservedArchive, ObservedDiff } from '../../common/observed.js';
import { applyTarget } from '../policy/apply-point.js';
import { chainGaps, mergedDiff, sortDiffs } from '../policy/diff-chain.js';
import { chooseMerge, mergeDue } from '../policy/merge-choice.js';
import { decideRetention } from '../policy/retention/decide.js';
import type { Snap } from '../policy/retention/rule.js';
import { rulesFrom } from '../policy/retention/rules-from.js';
import { holdNotes } from '../policy/replica-notes.js';
import { replicaHold, type HoldDecision } from '../policy/replica-hold.js';
import { dropMerges, type DropPlan } from '../policy/retention-merge.js';
import type { Step } from '../policy/step.js';
import { formatAge, toMs } from '../policy/time.js';
import { formatBytes } from '../util/size.js';

export interface ArchiveDataPlan {
  steps: Step[];
  /** Which replicas' cursors hold diffs back, which are let go, which are released. */
  hold: HoldDecision;
  /** The chain as the steps leave it (what a replication after them reads). */
  chain: { base: GidSnap; diffs: readonly ObservedDiff[] };
  /** Gids still restorable once the steps ran, with their times. */
  restorable: { gid: number; time: number }[];
  /** Newest clean gid the archive holds. */
  newestGid: number | null;
  upcoming: { kind: 'apply' | 'merge'; at: number }[];
  warnings: string[];
  /** The first hole in the chain (a diff missing between two gids), or null; planning stops before it. */
  hole: { after: number; before: number } | null;
}

export function archiveData(volume: DesiredVolume, archive: ObservedArchive, options: { host: string; now: number }): ArchiveDataPlan {
  const { now } = options;
  const steps: Step[] = [];
  const warnings: string[] = [];
  const upcoming: ArchiveDataPlan['upcoming'] = [];
  let diffs = sortDiffs(archive.diffs);
  let base: GidSnap = archive.base.b;
  // A diff missing from the chain makes everything after it unreachable from the base: plan only on
  // the part before the hole (no merge, apply, restore or replication needs a missing diff).
  const hole = chainGaps(archive.base, diffs)[0] ?? null;
  if (hole) {
    diffs = diffs.filter((d) => d.e.e <= hole.after);
    warnings.push(`the archive is missing diffs between gid ${hole.after} and gid ${hole.before}: nothing past gid ${hole.after} is planned until a hash backup repairs the chain`);
  }
  /** Snapshots this plan's merges make implicit (those an apply folds are below the new base anyway). */
  let removed: Set<number> | undefined;

  const times = new Map<number, number>();
  const explicit = new Set<number>(archive.explicitSnapshots);
  for (const r of archive.restorable) {
    times.set(r.gid, toMs(r.timestamp));
    if (r.explicit) explicit.add(r.gid);
  }
  for (const d of diffs) if (d.e.b === d.e.e && !times.has(d.e.b)) times.set(d.e.b, toMs(d.timestamp));
  const snaps: Snap[] = [];
  for (const gid of explicit) {
    const time = times.get(gid);
    if (time !== undefined) snaps.push({ gid, time });
  }
  const hold = replicaHold({ host: options.host, volume, archive, diffs, newestGid: newest(base, diffs) });
  let replicas: Record<string, number> | undefined;
  for (const host in hold.held) (replicas ??= {})[host] = hold.held[host]!;
  const retention = decideRetention(snaps, rulesFrom(volume.retention), { now, replicas });
  const barriers = new Set<number>(retention.keep.keys());
  for (const host in replicas) barriers.add(replicas[host]!);
  holdNotes(hold, retention.keep, warnings);

  const foldInto = (gid: number): void => {
    diffs = diffs.filter((d) => d.e.e > gid);
    base = { b: gid, e: gid };
  };

  if (archive.busy) {
    warnings.push(`the archive is busy (${archive.busy}): apply, merge and restores wait for the next round`);
    return { steps, hold, chain: { base, diffs }, restorable: [], newestGid: newest(base, diffs), upcoming, warnings, hole };
  }

  if (archive.base.e) {
    const gid = archive.base.e.b;
    steps.push({ kind: 'apply', key: 'resume', params: { gid }, reason: `an apply to gid ${gid} was interrupted: finish it` });
    foldInto(gid);
  } else if (volume.apply) {
    const age = volume.apply.olderThanSeconds * 1000;
    let limitGid: number | null = null;
    for (const gid of retention.keep.keys()) if (limitGid === null || gid < limitGid) limitGid = gid;
    const target = applyTarget(base, diffs, { cutoff: now - age, limitGid });
    if (target) {
      const limited = limitGid === target.gid ? `; retention keeps gid ${limitGid}, so no further` : '';
      steps.push({
        kind: 'apply',
        params: { gid: target.gid, diffs: target.count, bytes: target.bytes },
        reason: `${target.count} diff(s), ${formatBytes(target.bytes, { trimZero: true })}, are older than ${formatAge(age)}${limited}`,
      });
      foldInto(target.gid);
    }
    const next = diffs[0];
    if (next) upcoming.push({ kind: 'apply', at: toMs(next.timestamp) + age });
  }
  barriers.add(base.b);

  const drops = new Set<number>();
  for (const g of retention.drop) if (g > base.b) drops.add(g);
  const dropPlan = drops.size > 0 ? dropMerges(diffs, { drop: drops, barriers }) : NO_DROPS;
  const merged: ObservedDiff[] = [];
  let cursor = 0;
  for (const m of dropPlan.merges) {
    let bytes = 0;
    for (let i = m.from; i <= m.to; i++) bytes += diffs[i]!.dataSize;
    steps.push({
      kind: 'merge', key: `drop-${m.drops[0]}`,
      params: { gidB: diffs[m.from]!.b.b, gidE: diffs[m.to]!.e.b, diffs: m.to + 1 - m.from, bytes, drops: m.drops },
      reason: `retention drops ${listGids(m.drops)}: no rule keeps ${m.drops.length > 1 ? 'them' : 'it'}`,
    });
    for (let i = m.from; i < m.to; i++) (removed ??= new Set()).add(diffs[i]!.e.b);
    for (let i = cursor; i < m.from; i++) merged.push(diffs[i]!);
    merged.push(mergedDiff(diffs, m.from, m.to));
    cursor = m.to + 1;
  }
  if (dropPlan.merges.length > 0) {
    for (let i = cursor; i < diffs.length; i++) merged.push(diffs[i]!);
    diffs = merged;
  }
  for (const s of dropPlan.stuck) {
    if (s.why === 'not-mergeable' || s.why === 'gap' || s.why === 'compared') {
      const why = { gap: 'a diff is missing next to it', 'not-mergeable': 'the diff after it is not mergeable', compared: 'a diff beside it is a hash backup\'s, which is never merged; an apply takes it into the base' }[s.why];
      warnings.push(`retention drops snapshot ${s.gid} but it cannot be merged away (${why})`);
    }
  }

  const lastMergeAt = archive.lastMergeAt ? toMs(archive.lastMergeAt) : null;
  const due = mergeDue(diffs.length, volume.merge, { lastMergeAt, now });
  if (due) {
    const run = chooseMerge(diffs, { maxNr: volume.merge.maxNr, maxSizeBytes: volume.merge.maxSizeBytes, barriers });
    if (run) {
      const first = diffs[run.from]!;
      const last = diffs[run.to]!;
      const why = due === 'urgent'
        ? `${diffs.length} diffs reach the urgent threshold of ${volume.merge.thresholdNr}`
        : `the periodic merge (every ${formatAge(volume.merge.intervalSeconds * 1000)}) is due`;
      steps.push({
        kind: 'merge', key: 'choice',
        params: { gidB: first.b.b, gidE: last.e.b, diffs: run.count, bytes: run.bytes },
        reason: `${why}; the run of ${run.count} diffs from gid ${first.b.b} to ${last.e.b} has the smallest average size (${formatBytes(Math.round(run.bytes / run.count), { trimZero: true })})`,
      });
      for (let i = run.from; i < run.to; i++) (removed ??= new Set()).add(diffs[i]!.e.b);
    }
  } else if (lastMergeAt !== null) {
    upcoming.push({ kind: 'merge', at: lastMergeAt + volume.merge.intervalSeconds * 1000 });
  }

  const restorable: ArchiveDataPlan['restorable'] = [];
  for (const r of archive.restorable) if (r.gid >= base.b && !removed?.has(r.gid) && (!hole || r.gid <= hole.after)) restorable.push({ gid: r.gid, time: times.get(r.gid)! });
  return { steps, hold, chain: { base, diffs }, restorable, newestGid: newest(base, diffs), upcoming, warnings, hole };
}

/** What dropMerges returns when retention drops nothing. */
const NO_DROPS: DropPlan = Object.freeze({ merges: [], stuck: [] }) as unknown as DropPlan;

function newest(base: GidSnap, diffs: readonly ObservedDiff[]): number | null {
  for (let i = diffs.length - 1; i >= 0; i--) {
    const d = diffs[i]!;
    if (d.e.b === d.e.e) return d.e.b;
  }
  return base.b === base.e ? base.b : null;
}

/** `snapshot 40`, `snapshots 40, 50`, `11 snapshots (10, 20, 30, …, 110)`. */
function listGids(gids: readonly number[]): string {
  if (gids.length === 1) return `snapshot ${gids[0]}`;
  if (gids.length <= 4) return `snapshots ${gids.join(', ')}`;
  return `${gids.length} snapshots (${gids.slice(0, 3).join(', ')}, …, ${gids[gids.length - 1]})`;
}
