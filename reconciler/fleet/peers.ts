/**
 * Observation across hosts: a storage host asks each of its volumes' archives on other hosts for
 * their status (the wire's status call) and records what they answered — or why they could not — as
 * `ObservedPeerArchive`, so the plan states facts about them. One call per archive host and volume,
 * each bounded in time; an error is a fact too ("ar-1 is unreachable: …").
 */
import { chainHealth } from '../../common/diff-chain.js';
import type { ObservedArchive, ObservedChainHealth, ObservedPeerArchive } from '../../common/observed.js';
import type { DesiredHost, DesiredState, DesiredVolume } from '../model/desired.js';

/** What the status call answers about one volume's archive on the peer. */
export interface PeerVolumeStatus {
  archive: ObservedArchive | null;
  /** An interrupted transfer into it the peer would resume, with the offset it would claim. */
  partial: { kind: string; offset: number; total: number } | null;
  /** The chain's health as the peer states it (absent from a peer before it: read from its diffs). */
  chain?: ObservedChainHealth | null;
  /** The storage device uuid whose history the archive holds (absent from a peer before it). */
  deviceUuid?: string | null;
}

/** Asks `peer` for the status of `volume` (the wire's status call, or a test's stand-in). */
export type AskStatus = (peer: DesiredHost, volume: string) => Promise<PeerVolumeStatus>;

/** A peer's answer as the planner reads it. */
export function peerFromStatus(status: PeerVolumeStatus, at: string): ObservedPeerArchive {
  const a = status.archive;
  const transfer = status.partial ? { kind: status.partial.kind, doneBytes: status.partial.offset, totalBytes: status.partial.total } : null;
  if (!a) return { reachable: true, observedAt: at, state: 'Clear', uuid: null, base: null, newestGid: null, restorable: [], transfer };
  const hasBase = a.state === 'Archived' || a.state === 'Stopped';
  const newest = a.diffs.length ? Math.max(...a.diffs.map((d) => d.e.b)) : hasBase ? a.base.b.e : null;
  return {
    reachable: true,
    observedAt: at,
    state: a.state,
    uuid: a.uuid || null,
    base: hasBase ? { ...a.base.b } : null,
    newestGid: newest,
    restorable: a.restorable.map((r) => r.gid),
    newestAt: a.restorable.at(-1)?.timestamp ?? null,
    transfer,
    ...(hasBase ? { chain: status.chain ?? chainHealth(a.base, a.diffs, a.setAside ?? []) } : {}),
    ...(status.deviceUuid ? { deviceUuid: status.deviceUuid } : {}),
  };
}

/** The archive hosts other than `host` that `volume` names (primary first). */
export function remoteArchives(host: string, volume: DesiredVolume): string[] {
  return [...volume.archives].sort((x, y) => Number(y.primary) - Number(x.primary)).map((a) => a.host).filter((h) => h !== host);
}

/**
 * Every remote archive of every volume `host` stores, asked concurrently. Never throws: a failed call
 * is an unreachable peer with the error's message.
 */
export async function observePeers(host: DesiredHost, desired: DesiredState, ask: AskStatus, now: () => Date = () => new Date()): Promise<Record<string, Record<string, ObservedPeerArchive>>> {
  const out: Record<string, Record<string, ObservedPeerArchive>> = {};
  const calls: Promise<void>[] = [];
  for (const volume of Object.values(host.volumes)) {
    for (const name of remoteArchives(host.name, volume)) {
      const peer = desired.hosts[name];
      if (!peer) continue;
      calls.push(
        ask(peer, volume.name).then(
          (status) => void ((out[volume.name] ??= {})[name] = peerFromStatus(status, now().toISOString())),
          (error: unknown) => void ((out[volume.name] ??= {})[name] = { reachable: false, observedAt: now().toISOString(), error: oneLine(error) }),
        ),
      );
    }
  }
  await Promise.all(calls);
  return out;
}

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.trim() || 'unknown error';
}
