/**
 * Bases for every primary archive of a wdev volume that ships through proxies (pure). The storage's
 * own full backup goes to the first primary archive; the proxies forward the log to every primary,
 * so each other one needs a base of its own before the proxy's diffs for it can land (until then it
 * refuses them and the proxy keeps them queued). For each primary archive on another host that
 * answered it holds no base, the storage host plans a `full-backup` to it (`additional`: the log is
 * not restarted, the first archive's chain goes on); one that has not initialised its archive yet
 * waits for its own daemon. An archive not observed, or unreachable, gets nothing planned: what it
 * holds is not known.
 */
import type { ObservedPeerArchive, ObservedStorage } from '../../common/observed.js';
import type { DesiredVolume } from '../model/desired.js';
import { peerWait } from './peer-archive.js';
import type { Step } from './step.js';

export function additionalBases(host: string, volume: DesiredVolume, storage: ObservedStorage | undefined, peers: Record<string, ObservedPeerArchive> | undefined): Step[] {
  if (storage?.capture !== 'wdev' || !volume.proxies.some((p) => p !== host)) return [];
  const primaries = volume.archives.filter((a) => a.primary).map((a) => a.host);
  const steps: Step[] = [];
  for (const to of primaries.slice(1)) {
    if (to === host) continue;
    const peer = peers?.[to];
    if (!peer?.reachable || peer.base !== null || (peer.state !== 'SyncReady' && peer.state !== 'Clear')) continue;
    steps.push({
      kind: 'full-backup',
      key: `base:${to}`,
      params: { archive: to, additional: true },
      reason: `${to} is a primary archive the proxies (${volume.proxies.join(', ')}) forward the log to, and holds no base of the volume (${peer.state}): a full backup gives it one (at a gid the log ships from), before the proxy's diffs for it can land`,
      blocked: peerWait(to, peer, 'initialised'),
    });
  }
  return steps;
}
