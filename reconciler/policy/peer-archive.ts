/**
 * Facts about a volume's archive on another host, in words for plan reasons — stated only from what
 * its status call answered (`ObservedPeerArchive`), never guessed. `undefined` means nobody asked.
 */
import type { ObservedPeerArchive } from '../../common/observed.js';
import { describeHole, remoteHole, setAsideIn } from './chain-hole.js';

/** `ar-1 holds base |0,1| and diffs to gid 41`, `ar-1 holds no archive of this volume (state Clear)`. */
export function describePeerArchive(host: string, peer: ObservedPeerArchive | undefined): string {
  if (!peer) return `${host} was not observed`;
  if (!peer.reachable) return `${host} is unreachable: ${peer.error}`;
  if (peer.state === 'Clear') return `${host} holds no archive of this volume (state Clear)`;
  if (!peer.base) {
    const t = peer.transfer;
    const resume = t ? `; a ${t.kind} stands at ${t.doneBytes} of ${t.totalBytes} bytes and resumes there` : '';
    return `${host} holds no base of this volume yet (state ${peer.state}${resume})`;
  }
  const base = `|${peer.base.b},${peer.base.e}|`;
  const diffs = peer.newestGid !== null && peer.newestGid > peer.base.e ? ` and diffs to gid ${peer.newestGid}` : ', no diffs';
  const state = peer.state === 'Archived' ? '' : ` (state ${peer.state})`;
  return `${host} holds base ${base}${diffs}${state}`;
}

/**
 * What the peer answered of the hole in its chain: `ar-1 answered that its archive is missing diffs
 * between gid 5 and gid 9 (its check set aside … as corrupt: …); its chain runs from the base to gid 5`;
 * or, for diffs lost from its end (`acknowledged`: the newest gid it acknowledged before), `ar-1
 * answered that its chain runs from the base to gid 5, short of gid 9 it had acknowledged: …`.
 */
export function describePeerHole(host: string, peer: ObservedPeerArchive, acknowledged?: number): string {
  const hole = peer.reachable ? remoteHole(peer.chain, acknowledged) : null;
  if (!peer.reachable || !peer.chain || !hole) return describePeerArchive(host, peer);
  const { contiguousTo, setAside } = peer.chain;
  if (hole.lost) return `${host} answered that its chain runs from the base to gid ${contiguousTo}, short of gid ${hole.before} it had acknowledged holding: it lost the diffs between${setAsideIn(hole, setAside).map((d) => `; its check set aside ${d.file} as corrupt: ${d.reason}`).join('')}`;
  return `${host} answered that its archive is ${describeHole(hole, setAside)}; its chain runs from the base to gid ${contiguousTo}`;
}

/** Why an action that needs the peer's archive must wait, or null when it may go ahead. */
export function peerWait(host: string, peer: ObservedPeerArchive | undefined, need: 'initialised' | 'archived'): string | null {
  if (!peer) return `${host} was not observed (no status call reached it in this plan)`;
  if (!peer.reachable) return `${host} is unreachable: ${peer.error}`;
  if (peer.state === 'Clear') return `${host} has not initialised its archive of this volume yet (its own daemon does that)`;
  if (need === 'archived' && peer.state !== 'Archived') return `${host}'s archive of this volume is ${peer.state}, not Archived`;
  return null;
}

/** Does the peer's archive already hold data of this volume (a hash backup, not a full one, resynchronises)? */
export function peerHolds(peer: ObservedPeerArchive | undefined): boolean {
  return peer?.reachable === true && peer.base !== null && (peer.state === 'Archived' || peer.state === 'Stopped');
}
