/**
 * Whether the proxy takes a batch of logpacks, decided before a byte of it is read (the wire's
 * negotiate phase) and again, under the volume's lock, before it is stored. A batch is a WalB wlog
 * range: its lsids, the device it comes from, and the gids it moves the volume from and to.
 */
import type { DiffName } from '../archive/diff-name.js';
import { formatSnap } from '../archive/gid.js';
import { SpoolReject } from './errors.js';
import type { DeviceIdentity, ProxyVolumeState } from './state.js';
import { describeUsage, mib, type SpoolUsage } from './usage.js';

export interface BatchMeta {
  volume: string;
  device: DeviceIdentity;
  lsid: { b: number; e: number };
  /** The diff the batch becomes: `|gidB|-->|gidE|`, mergeable unless gidB is explicit. */
  diff: DiffName;
  explicitEnd: boolean;
  /** Size of the wlog the storage will send (for the spool limit). */
  wlogBytes: number;
}

export type Admission = { duplicate: false } | { duplicate: true; reason: string };

/**
 * Throws SpoolReject (stopped, not-found, uuid-mismatch, size-mismatch, no-space) or says whether
 * the batch is one the proxy has already stored (a lost acknowledgement: the storage sends the same
 * range again, and is answered as if it were stored now).
 */
export function admitBatch(s: ProxyVolumeState | null, m: BatchMeta, spool: { usage: SpoolUsage; limitBytes: number; queued: number }): Admission {
  const vol = m.volume;
  if (!s) throw new SpoolReject('not-found', vol, 'this proxy forwards no such volume (no archive was added for it)');
  if (s.received && s.device?.uuid === m.device.uuid && m.diff.e.b <= s.received.gid.b && m.lsid.e <= s.received.lsid) {
    return { duplicate: true, reason: `the proxy holds the log to lsid ${s.received.lsid} (gid ${formatSnap(s.received.gid)}) already` };
  }
  if (s.state !== 'Started') throw new SpoolReject('stopped', vol, 'the proxy is stopped for this volume');
  const live = Object.entries(s.archives).filter(([, a]) => !a.leaving);
  if (live.length === 0) throw new SpoolReject('stopped', vol, 'no archive takes this volume any more (every one is leaving)');
  if (s.device && s.device.uuid !== m.device.uuid && spool.queued > 0) {
    throw new SpoolReject('uuid-mismatch', vol, `the spool holds ${spool.queued} diffs of device ${s.device.uuid}; the batch is of ${m.device.uuid}`);
  }
  if (s.device && s.device.uuid === m.device.uuid && m.device.sizeBytes < s.device.sizeBytes) {
    throw new SpoolReject('size-mismatch', vol, `the device shrank from ${s.device.sizeBytes} to ${m.device.sizeBytes} bytes`);
  }
  if (s.received && m.diff.b.b < s.received.gid.b && s.device?.uuid === m.device.uuid) {
    throw new SpoolReject('too-old', vol, `batch from gid ${m.diff.b.b} overlaps what the proxy holds (to gid ${formatSnap(s.received.gid)})`);
  }
  if (spool.usage.totalBytes + m.wlogBytes > spool.limitBytes) {
    throw new SpoolReject(
      'no-space',
      vol,
      `the spool holds ${mib(spool.usage.totalBytes)} of its ${mib(spool.limitBytes)} limit (${describeUsage(spool.usage) || 'nothing queued'}); ` +
        `a batch of ${mib(m.wlogBytes)} does not fit`,
    );
  }
  return { duplicate: false };
}
