/**
 * A volume's lifecycle on one host, WalB's state machines made declarative:
 * - storage: init when absent or Clear; a full backup when the archive is empty, a hash backup when
 *   the archive already holds the volume (storage re-initialised) or after an overflow / a lost hash
 *   index; start when stopped.
 * - archive: init when absent or Clear; start when stopped; Archived is ready for data actions.
 * A primary archive on another host is known only from its status call (`input.peer`): the reasons
 * state what it answered, and a backup or snapshot that needs it waits while it is unreachable.
 */
import type { DesiredVolume } from '../model/desired.js';
import type { ObservedArchive, ObservedPeerArchive, ObservedStorage } from '../../common/observed.js';
import { describePeerArchive, peerHolds, peerWait } from './peer-archive.js';
import type { Step } from './step.js';

export interface StorageInput {
  host: string;
  volume: DesiredVolume;
  storage: ObservedStorage | undefined;
  /** The primary archive's observed state when the primary archive is on this host. */
  localArchive: ObservedArchive | undefined;
  /** The primary archive's status call's answer when it is on another host (undefined: not asked). */
  peer?: ObservedPeerArchive;
}

export interface StoragePlan {
  steps: Step[];
  /** True when the storage runs (Target) once the steps are done and is ready for snapshots. */
  ready: boolean;
  warnings: string[];
}

export function storageLifecycle(input: StorageInput): StoragePlan {
  const { volume, storage } = input;
  const steps: Step[] = [];
  const warnings: string[] = [];
  const primary = volume.archives.find((a) => a.primary)?.host ?? null;
  const remote = primary !== null && primary !== input.host;
  const blocked = remote ? peerWait(primary, input.peer, 'initialised') : null;
  const backupParams = { archive: primary };
  const archiveHolds = remote ? peerHolds(input.peer) : input.localArchive?.state === 'Archived' || input.localArchive?.state === 'Stopped';

  if (!storage || storage.state === 'Clear') {
    steps.push({
      kind: 'init', key: 'storage',
      params: { role: 'storage', device: volume.device.path, deviceKind: volume.device.kind, sizeBytes: volume.device.sizeBytes, capture: volume.capture, ...(volume.capture === 'wdev' && volume.wdev ? { ring: volume.wdev.ring } : {}) },
      reason: storage ? 'the storage side is Clear' : 'the storage side does not exist yet',
    });
  }
  const needsSync = !storage || storage.state === 'Clear' || storage.state === 'SyncReady';
  if (primary === null) {
    if (needsSync) warnings.push('no primary archive is declared: no backup can be planned');
    return { steps, ready: false, warnings };
  }
  if (needsSync) {
    if (remote) {
      const fact = describePeerArchive(primary, input.peer);
      steps.push(
        archiveHolds
          ? { kind: 'hash-backup', params: backupParams, reason: `${fact}: resynchronise by hash`, blocked: blocked ?? foreignHistory(primary, volume.name, input.peer, storage) }
          : { kind: 'full-backup', params: backupParams, reason: input.peer?.reachable ? fact : `the storage needs a first backup; ${fact}`, blocked },
      );
      return { steps, ready: false, warnings };
    }
    steps.push(
      archiveHolds
        ? { kind: 'hash-backup', params: backupParams, reason: `the archive on ${primary} already holds data of this volume: resynchronise by hash`, blocked }
        : { kind: 'full-backup', params: backupParams, reason: `the archive on ${primary} is empty`, blocked },
    );
    return { steps, ready: false, warnings };
  }
  if (storage!.overflow) {
    const cause = storage!.overflowReason ? ` (${storage!.overflowReason})` : '';
    const why = storage!.capture === 'wdev' ? `the write log overflowed${cause}` : storage!.overflowReason === 'hash-index-damaged' ? 'the hash index is damaged' : 'the hash index was lost';
    steps.push({ kind: 'hash-backup', params: backupParams, reason: `${why}: only a hash backup recovers`, blocked });
    return { steps, ready: false, warnings };
  }
  if (storage!.state === 'Standby') {
    warnings.push('the storage is in Standby (logs are dropped): not planned');
    return { steps, ready: false, warnings };
  }
  if (storage!.state === 'Stopped') steps.push({ kind: 'start', key: 'storage', params: { role: 'storage' }, reason: 'the storage is Stopped' });
  if (remote && input.peer?.reachable && !peerHolds(input.peer)) {
    // The storage's full backup is staged in its outbox: it goes (again) once the peer can take it.
    const reason = `${describePeerArchive(primary, input.peer)} while the storage runs: send it the staged full backup`;
    steps.push({ kind: 'full-backup', params: backupParams, reason, blocked: peerWait(primary, input.peer, 'initialised') });
    return { steps, ready: false, warnings };
  }
  if (primary === input.host && (!input.localArchive || input.localArchive.state === 'Clear' || input.localArchive.state === 'SyncReady')) {
    warnings.push(`the storage runs but the archive on ${primary} holds no base: it gets no diffs until the storage is reset and backed up again (not planned)`);
  }
  if (storage!.capture !== volume.capture) {
    warnings.push(`capture is ${storage!.capture} live but ${volume.capture} declared: changing it needs clear and init (not planned)`);
  }
  if (storage!.sizeBytes < volume.device.sizeBytes) warnings.push(`the device is ${storage!.sizeBytes} bytes live, ${volume.device.sizeBytes} declared: growing is not planned yet`);
  if (storage!.sizeBytes > volume.device.sizeBytes) warnings.push(`the device is ${storage!.sizeBytes} bytes live, ${volume.device.sizeBytes} declared: a volume cannot shrink`);
  return { steps, ready: true, warnings };
}

/**
 * Why a hash backup to `primary` must not run because the peer holds another device's history: the
 * uuid it answered is not the storage's (its state here was lost and the volume initialised anew, or
 * it is another device). The peer would refuse the diffs (uuid-mismatch), and walbctl never grafts
 * one device's image onto another's history on its own: the operator decides (docs/wire.md).
 */
function foreignHistory(primary: string, vol: string, peer: ObservedPeerArchive | undefined, storage: ObservedStorage | undefined): string | null {
  const theirs = peer?.reachable ? peer.deviceUuid : undefined;
  if (!theirs) return null;
  const fresh = !storage || storage.state === 'Clear';
  if (!fresh && storage.uuid === theirs) return null;
  const ours = fresh ? 'not initialised (its init makes a new uuid)' : `device uuid ${storage.uuid}`;
  return `${primary} holds the history of device uuid ${theirs}, this host's ${vol} is ${ours}: its state here was lost or it is another device, and ${primary} refuses another uuid (uuid-mismatch). ` +
    `To start over there, copy out what is still needed (walbctl archive restore ${vol} GID --from ${primary}), then stop and reset the archive on ${primary} (walbctl archive stop ${vol} && walbctl archive reset ${vol}, run there): a full backup follows`;
}

export interface ArchivePlan {
  steps: Step[];
  /** True when the archive is Archived (or will be once started) and takes data actions. */
  ready: boolean;
}

export function archiveLifecycle(archive: ObservedArchive | undefined): ArchivePlan {
  if (!archive || archive.state === 'Clear') {
    return { steps: [{ kind: 'init', key: 'archive', params: { role: 'archive' }, reason: archive ? 'the archive side is Clear' : 'the archive side does not exist yet' }], ready: false };
  }
  if (archive.state === 'Stopped') return { steps: [{ kind: 'start', key: 'archive', params: { role: 'archive' }, reason: 'the archive is Stopped' }], ready: true };
  return { steps: [], ready: archive.state === 'Archived' };
}

export interface ClearInput {
  storage: ObservedStorage | undefined;
  archive: ObservedArchive | undefined;
  /** Roles the desired state still gives this host for the volume. */
  keepStorage: boolean;
  keepArchive: boolean;
  why: string;
}

/** Clearing roles the tree no longer declares: destructive, the volume's data on this host goes. */
export function clearSteps(input: ClearInput): Step[] {
  const steps: Step[] = [];
  const { storage, archive } = input;
  if (!input.keepStorage && storage && storage.state !== 'Clear') {
    if (storage.state === 'Target' || storage.state === 'Standby') {
      steps.push({ kind: 'stop', key: 'storage', params: { role: 'storage' }, reason: `${input.why}: stop it before clearing` });
    }
    steps.push({ kind: 'clear', key: 'storage', params: { role: 'storage', device: storage.devicePath }, reason: `${input.why}: its write log and snapshots on this host go`, destructive: true });
  }
  if (!input.keepArchive && archive && archive.state !== 'Clear') {
    const n = archive.restorable.length;
    steps.push({
      kind: 'clear', key: 'archive',
      params: { role: 'archive', diffs: archive.diffs.length, restorable: n },
      reason: `${input.why}: the archive with ${archive.diffs.length} diffs and ${n} restorable snapshots goes`,
      destructive: true,
    });
  }
  return steps;
}
