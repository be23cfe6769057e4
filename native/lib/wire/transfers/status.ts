/**
 * `status`: what a peer's plan needs of this host, on the same listener — per archive volume its
 * state, base, uuid, newest and restorable gids (common/observed.ts's ObservedArchive), the health
 * of its chain (how far it runs from the base without a hole, the first hole, diffs set aside), the
 * transfers running here with how far each has come, and any resumable partial transfer.
 */
import { chainHealth } from '../../../../common/diff-chain.js';
import type { ObservedArchive, ObservedChainHealth } from '../../../../common/observed.js';
import { archiveMeta, listArchiveVolumes, observeArchive } from '../../archive/query.js';
import type { WireClient, WirePeer } from '../client.js';
import { registerKind } from '../protocol/kinds.js';
import type { TransferProgress } from '../protocol/transfers-board.js';
import { listPartials, type PartialSummary } from '../stream/partial.js';
import { observeProxy, type ProxyVolumeView } from '../../proxy/observe.js';

export interface WireStatus {
  host: string;
  /** Archive volumes asked for (all the peer may see when no volume was named). */
  archives: Record<string, ObservedArchive | null>;
  /** The id of the full backup each archive holds (null before one landed): a storage tells by it whether its full backup landed. */
  fullBackupIds: Record<string, string | null>;
  /** The storage device uuid each archive holds the history of (null before a full backup); absent from hosts before it. */
  deviceUuids?: Record<string, string | null>;
  /** Each archive's chain health (null: no base yet); absent from hosts before it. */
  chains?: Record<string, ObservedChainHealth | null>;
  transfers: TransferProgress[];
  /** Interrupted transfers this host would resume, and the offset it would claim. */
  partials: PartialSummary[];
  /** The volumes asked for that this host spools as a proxy: what it received and each archive acknowledged (absent from hosts before it). */
  proxies?: Record<string, ProxyVolumeView>;
  at: string;
}

registerKind({
  name: 'status',
  async serve({ session, request, dataDir, board }) {
    const vols = request.volume ? [request.volume] : await listArchiveVolumes(dataDir);
    const archives: Record<string, ObservedArchive | null> = {};
    const fullBackupIds: Record<string, string | null> = {};
    const chains: Record<string, ObservedChainHealth | null> = {};
    const deviceUuids: Record<string, string | null> = {};
    for (const v of vols) {
      const a = (await observeArchive(dataDir, v)) ?? null;
      archives[v] = a;
      const meta = await archiveMeta(dataDir, v);
      fullBackupIds[v] = meta?.fullBackupId ?? null;
      deviceUuids[v] = meta?.deviceUuid ?? null;
      chains[v] = a && (a.state === 'Archived' || a.state === 'Stopped') ? chainHealth(a.base, a.diffs, a.setAside ?? []) : null;
    }
    const partials = (await listPartials(dataDir)).filter((p) => !request.volume || p.volume === request.volume);
    const proxies: Record<string, ProxyVolumeView> = {};
    for (const v of (await observeProxy(dataDir, 0, request.volume ? { volume: request.volume } : {})).volumes) proxies[v.volume] = v;
    const status: Omit<WireStatus, 'host'> = { archives, fullBackupIds, deviceUuids, chains, transfers: board.list(request.volume), partials, proxies, at: new Date().toISOString() };
    await session.send({ t: 'accept', status });
  },
});

/** Asks `peer` for its status (of one volume, or of every volume when none is named). */
export async function wireStatus(client: WireClient, peer: WirePeer, volume?: string): Promise<WireStatus> {
  const { session, accept } = await client.open(peer, { kind: 'status', ...(volume ? { volume } : {}), params: {} });
  await session.close().catch(() => {});
  return { host: peer.host, ...(accept.status as Omit<WireStatus, 'host'>) };
}
