/**
 * What the status says of each replication pair sending from this host (issue 13's "truth in
 * status"): mode, where the target stands, lag in gids, bytes and seconds, the last success and the
 * last error, a transfer under way — and the `ReplicationLagging` condition, True while a target lags
 * past the volume's `replicationLimit` (and is therefore let go by retention). Pure: from the declared
 * volume and the observed archive.
 */
import type { DesiredVolume } from '../model/desired.js';
import type { ObservedArchive, ObservedReplica } from '../../common/observed.js';
import { newestClean } from '../../common/replication-choice.js';
import { sortDiffs } from '../policy/diff-chain.js';
import { replicaHold, type ReplicaLag } from '../policy/replica-hold.js';
import type { Condition } from './conditions.js';

export interface PairStatus {
  to: string;
  mode: 'async' | 'sync';
  /** The gid last confirmed on the target; null when it holds no copy from here yet. */
  targetGid: number | null;
  lag: ReplicaLag | null;
  lastSuccessAt: string | null;
  lastKind: 'full' | 'diff' | 'hash' | null;
  lastError: { message: string; at: string } | null;
  transfer: ObservedReplica['transfer'] | null;
  /** Why the target lags past the volume's limit (it is let go), or null. */
  lagging: string | null;
}

export function replicationStatus(host: string, volume: DesiredVolume | undefined, archive: ObservedArchive | undefined): PairStatus[] {
  if (!volume || !archive || !volume.replication.some((p) => p.from === host)) return [];
  const diffs = sortDiffs(archive.diffs);
  const hold = replicaHold({ host, volume, archive, diffs, newestGid: newestClean({ base: archive.base, diffs }) });
  return hold.standings.map((s) => ({
    to: s.to,
    mode: s.mode,
    targetGid: s.cursor?.gid ?? null,
    lag: s.lag,
    lastSuccessAt: s.cursor?.replicatedAt ?? null,
    lastKind: s.cursor?.lastKind ?? null,
    lastError: s.cursor?.lastError ?? null,
    transfer: s.cursor?.transfer ?? null,
    lagging: s.letGo,
  }));
}

/** The `ReplicationLagging` condition for a volume's pairs; none when the volume replicates nothing from here. */
export function laggingCondition(pairs: readonly PairStatus[], options: { previous: readonly Condition[]; now: string }): Condition | null {
  if (pairs.length === 0) return null;
  const lagging = pairs.filter((p) => p.lagging !== null);
  const status = lagging.length > 0 ? 'True' : 'False';
  const reason = lagging.length > 0 ? 'ReplicaPastLimit' : 'ReplicasWithinLimit';
  const message = lagging.map((p) => `${p.to}: ${p.lagging}`).join('; ');
  const before = options.previous.find((c) => c.type === 'ReplicationLagging');
  const same = before && before.status === status && before.reason === reason;
  return { type: 'ReplicationLagging', status, reason, message, lastTransitionTime: same ? before.lastTransitionTime : options.now };
}
