/**
 * Who may do what on the wire, decided once at the door from the desired state alone (a pure
 * function: the tree is the only source of trust; the certificate only says who the peer is).
 *
 * - A volume's data (full backup, hash backup, diffs) flows from its storage host, or one of its
 *   proxies, to the archives and proxies the tree names for it, and from one of its archives to
 *   another (a declared replication pair, or the old primary's hand-over after a failover) —
 *   nowhere else.
 * - A status call about a volume is answered to the hosts that take part in that volume (its storage
 *   host, its proxies, its other archives); a host-level status call to any host of the tree.
 * - Replication is accepted only along a declared pair (`from` → this archive).
 * - A restore (the image of a gid, onto the asking host's own file or device) is served by an archive
 *   of the volume to its storage host and to the hosts its `restoreHosts` names — nobody else: the
 *   image is the volume's whole content.
 *
 * The receiver calls `authorize`; the sender calls `authorizeSend` before it dials, so neither side
 * sends or accepts a byte the tree does not allow.
 */
import type { DesiredState, DesiredVolume } from '../model/desired.js';

/** What a peer asks for. `volume` is null for host-level calls (a status of the whole host). */
export interface WireRequest {
  operation: WireOperation;
  volume: string | null;
}

export type WireOperation = 'full-backup' | 'hash-backup' | 'diff' | 'status' | 'replicate' | 'restore';

export type RefusalCode = 'unknown-peer' | 'unknown-volume' | 'not-held-here' | 'not-a-sender' | 'not-a-participant' | 'not-a-pair';

export type Authorization = { allowed: true } | { allowed: false; code: RefusalCode; message: string };

const DATA: ReadonlySet<WireOperation> = new Set(['full-backup', 'hash-backup', 'diff']);

/** Finds a volume by name anywhere in the fleet (names are global: one storage host each). */
export function findVolume(desired: DesiredState, name: string): DesiredVolume | null {
  for (const host of Object.values(desired.hosts)) {
    const v = host.volumes[name];
    if (v) return v;
  }
  return null;
}

const refuse = (code: RefusalCode, message: string): Authorization => ({ allowed: false, code, message });

/** May `peer` (the host its certificate names) do `request` on `local`, this host? */
export function authorize(desired: DesiredState, local: string, peer: string, request: WireRequest): Authorization {
  if (!desired.hosts[peer] && !desired.allHosts?.includes(peer)) return refuse('unknown-peer', `host ${peer} is not in the tree (no hosts/${peer}.yaml)`);
  if (request.volume === null) {
    return request.operation === 'status' ? { allowed: true } : refuse('unknown-volume', `${request.operation} needs a volume`);
  }
  const v = findVolume(desired, request.volume);
  if (!v) return refuse('unknown-volume', `no volume ${request.volume} in the tree`);
  const archives = v.archives.map((a) => a.host);
  const senders = [v.host, ...v.proxies];
  const holdsHere = archives.includes(local) || v.proxies.includes(local);
  if (DATA.has(request.operation)) {
    if (!holdsHere) return refuse('not-held-here', `${local} is neither an archive nor a proxy of ${v.name} (the tree names archives ${archives.join(', ') || 'none'})`);
    const pair = v.replication.some((p) => p.from === peer && p.to === local) || (request.operation === 'hash-backup' && v.replication.some((p) => p.to === peer && p.from === local));
    // Archive to archive, not only along a declared pair: after a failover commit the old primary
    // hands its newer diffs over to the new primary before releasing its cursor (replica-hold.ts),
    // and the tree no longer declares that direction. The last applied revision is not known here.
    const peerArchive = archives.includes(local) && archives.includes(peer);
    if (!senders.includes(peer) && !pair && !peerArchive) return refuse('not-a-sender', `${peer} may not send ${v.name}: only its storage host ${v.host}${v.proxies.length ? `, its proxies ${v.proxies.join(', ')}` : ''} or another of its archives (${archives.join(', ')})`);
    return { allowed: true };
  }
  if (request.operation === 'status') {
    if (!holdsHere && v.host !== local) return refuse('not-held-here', `${local} holds no part of ${v.name}`);
    const participants = new Set([...senders, ...archives]);
    if (!participants.has(peer)) return refuse('not-a-participant', `${peer} takes no part in ${v.name} (storage ${v.host}, archives ${archives.join(', ')})`);
    return { allowed: true };
  }
  if (request.operation === 'replicate') {
    if (!v.replication.some((p) => p.from === peer && p.to === local)) return refuse('not-a-pair', `no replication pair ${peer} → ${local} is declared for ${v.name}`);
    return { allowed: true };
  }
  // restore: the volume's whole content leaves this archive for its storage host or a host the tree lets restore it.
  if (!archives.includes(local)) return refuse('not-held-here', `${local} is not an archive of ${v.name}`);
  const restorers = [v.host, ...(v.restoreHosts ?? [])];
  if (!restorers.includes(peer)) return refuse('not-a-sender', `only ${v.name}'s storage host ${v.host}${v.restoreHosts?.length ? ` and its restoreHosts ${v.restoreHosts.join(', ')}` : ''} may restore it from ${local}, not ${peer} (add it to the volume's restoreHosts to allow it)`);
  return { allowed: true };
}

/** May `local` send `request` to `target`? The same rules, seen from the sender. */
export function authorizeSend(desired: DesiredState, local: string, target: string, request: WireRequest): Authorization {
  if (!desired.hosts[target]) return refuse('unknown-peer', `host ${target} is not in the tree (no hosts/${target}.yaml)`);
  return authorize(desired, target, local, request);
}
