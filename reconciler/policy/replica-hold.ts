/**
 * Replication-aware retention on a sending archive: which replicas' cursors hold diffs back. Each
 * declared pair from this host holds back what its target still needs (merge and apply never cross
 * its cursor, retention keeps the newest snapshot at or below it) until the target lags past the
 * volume's `replicationLimit` — the most diff bytes, gids or age held back — and is let go: retention
 * proceeds and the next replication to it is a hash replication once the base is applied past its cursor
 * (while a merged diff still spans the cursor, a diff replication from it). A cursor no declared pair from this
 * host owns any more is released — after a hand-over when its host became the new primary and is
 * behind (a failover commit). A pure function of the declared volume and the observed archive.
 */
import type { DesiredVolume, ReplicationLimit } from '../model/desired.js';
import type { ObservedArchive, ObservedDiff, ObservedReplica } from '../../common/observed.js';
import { formatBytes } from '../util/size.js';
import { formatAge, toMs } from './time.js';

export interface ReplicaLag {
  gids: number;
  /** Bytes of the diffs newer than the cursor. */
  bytes: number;
  /** From the cursor's snapshot to the newest snapshot. */
  seconds: number;
}

export interface ReplicaStanding {
  to: string;
  mode: 'async' | 'sync';
  /** Null when the target holds no copy from this source yet. */
  cursor: ObservedReplica | null;
  lag: ReplicaLag | null;
  /** Why the target is let go (retention no longer holds back for it), or null while it is held. */
  letGo: string | null;
}

export interface HoldDecision {
  /** Target → cursor gid, for each cursor retention, merge and apply must respect. */
  held: Record<string, number>;
  standings: ReplicaStanding[];
  /** Hosts holding a cursor here that no declared pair from this host names. */
  released: string[];
  /** Of those, the new primary this archive (no longer a primary) must first hand its newer diffs
   *  to: their cursors stay held until the hand-over replication is done. */
  handOver: string[];
  /** The volume declares a replicationLimit. */
  limited: boolean;
}

export interface HoldInput {
  host: string;
  volume: DesiredVolume;
  archive: ObservedArchive;
  /** The archive's diffs ordered by start gid. */
  diffs: readonly ObservedDiff[];
  /** Newest clean gid the archive holds. */
  newestGid: number | null;
}

export function replicaHold(input: HoldInput): HoldDecision {
  const { archive, volume } = input;
  const held: Record<string, number> = {};
  const standings: ReplicaStanding[] = [];
  const declared = new Set<string>();
  const newestTime = timeOf(input.newestGid, archive, input.diffs);
  for (const pair of volume.replication) {
    if (pair.from !== input.host || declared.has(pair.to)) continue;
    declared.add(pair.to);
    const cursor = archive.replicas[pair.to] ?? null;
    if (!cursor) {
      standings.push({ to: pair.to, mode: pair.mode, cursor: null, lag: null, letGo: null });
      continue;
    }
    const lag = lagOf(cursor, input.newestGid, { diffs: input.diffs, newestTime });
    const base = archive.base.e ?? archive.base.b;
    let letGo: string | null = null;
    if (base.b > cursor.gid) letGo = `the base is already at gid ${base.b}, past its cursor (gid ${cursor.gid})`;
    else letGo = pastLimit(lag, volume.replicationLimit ?? null);
    if (letGo === null) held[pair.to] = cursor.gid;
    standings.push({ to: pair.to, mode: pair.mode, cursor, lag, letGo });
  }
  const released = Object.keys(archive.replicas).filter((h) => !declared.has(h)).sort();
  const primaryHere = volume.archives.some((a) => a.host === input.host && a.primary);
  const handOver: string[] = [];
  for (const to of released) {
    const cursor = archive.replicas[to]!;
    const newPrimary = volume.archives.some((a) => a.host === to && a.primary);
    if (primaryHere || !newPrimary || input.newestGid === null || cursor.gid >= input.newestGid) continue;
    handOver.push(to);
    held[to] = cursor.gid;
  }
  return { held, standings, released, handOver, limited: Boolean(volume.replicationLimit) };
}

export function lagOf(cursor: ObservedReplica, newestGid: number | null, at: { diffs: readonly ObservedDiff[]; newestTime: number | null }): ReplicaLag {
  const gids = newestGid === null ? 0 : Math.max(0, newestGid - cursor.gid);
  let bytes = 0;
  for (const d of at.diffs) if (d.e.e > cursor.gid) bytes += d.dataSize;
  const seconds = at.newestTime === null ? 0 : Math.max(0, Math.round((at.newestTime - toMs(cursor.timestamp)) / 1000));
  return { gids, bytes, seconds };
}

/** Why `lag` is past `limit`, or null when within it (or no limit is declared). */
export function pastLimit(lag: ReplicaLag, limit: ReplicationLimit | null): string | null {
  if (!limit) return null;
  if (limit.bytes !== null && lag.bytes > limit.bytes) {
    return `it lags ${formatBytes(lag.bytes, { trimZero: true })} of diffs, past replicationLimit.bytes (${formatBytes(limit.bytes, { trimZero: true })})`;
  }
  if (limit.gids !== null && lag.gids > limit.gids) return `it lags ${lag.gids} gids, past replicationLimit.gids (${limit.gids})`;
  if (limit.ageSeconds !== null && lag.seconds > limit.ageSeconds) {
    return `it lags ${formatAge(lag.seconds * 1000)}, past replicationLimit.age (${formatAge(limit.ageSeconds * 1000)})`;
  }
  return null;
}

/** The time of the snapshot at `gid` (restorable list first, then the diff ending there). */
function timeOf(gid: number | null, archive: ObservedArchive, diffs: readonly ObservedDiff[]): number | null {
  if (gid === null) return null;
  for (let i = archive.restorable.length - 1; i >= 0; i--) if (archive.restorable[i]!.gid === gid) return toMs(archive.restorable[i]!.timestamp);
  for (let i = diffs.length - 1; i >= 0; i--) if (diffs[i]!.e.b === gid) return toMs(diffs[i]!.timestamp);
  return null;
}
