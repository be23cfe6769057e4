/**
 * `volume.json`: a proxied volume's state, replaced atomically. WalB's proxy states: no file is
 * Clear; Stopped (archives known, batches refused); Started (batches taken and forwarded).
 * `received` is the end of the last batch stored (acknowledged or about to be): the duplicate check
 * and the "converted" position of status. `archives` is WalB's archive-info: one queue each, with its
 * send delay; `leaving` marks an archive the tree dropped whose queue is still draining; `halted`
 * records a reject whose policy is stop-and-report, until the archive is started again.
 */
import { readFile } from 'node:fs/promises';

import { InputError } from '../../../common/errors.js';
import { atomicWriteFile } from '../../../common/atomic-write.js';
import type { GidSnap } from '../archive/gid.js';
import type { ProxyPaths } from './layout.js';

export interface ArchiveLink {
  /** Seconds a diff waits in this queue before it may be sent (WalB's archive-info delay). */
  delaySec: number;
  /** Removed from the tree: forwarding goes on until the queue is empty, then the link goes. */
  leaving: boolean;
  /** A reject that stopped forwarding to this archive until someone acts (stop-and-report). */
  halted: { reject: string; detail: string; at: string } | null;
  /**
   * The newest diff this archive acknowledged: its end lsid and gid, and its timestamp (when the
   * storage cut it from the log) — the archive's recovery point is the age of that timestamp.
   */
  forwarded?: { lsid: number; gid: number; timestamp: string; at: string };
}

export interface DeviceIdentity {
  uuid: string;
  pbs: number;
  salt: number;
  sizeBytes: number;
}

export interface ProxyVolumeState {
  formatVersion: 1;
  volume: string;
  state: 'Stopped' | 'Started';
  device: DeviceIdentity | null;
  received: { lsid: number; gid: GidSnap; at: string } | null;
  archives: Record<string, ArchiveLink>;
}

export async function readProxyState(p: ProxyPaths): Promise<ProxyVolumeState | null> {
  let text: string;
  try {
    text = await readFile(p.state, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  let s: ProxyVolumeState;
  try {
    s = JSON.parse(text) as ProxyVolumeState;
  } catch (error) {
    throw new InputError(`not valid JSON: ${(error as Error).message}`, p.state);
  }
  if (s.formatVersion !== 1) throw new InputError(`field "formatVersion": expected 1, got ${JSON.stringify(s.formatVersion)}`, p.state);
  if (s.state !== 'Stopped' && s.state !== 'Started') throw new InputError(`field "state": expected "Stopped" or "Started"`, p.state);
  if (typeof s.archives !== 'object' || s.archives === null) throw new InputError('field "archives": expected an object', p.state);
  if (s.received !== null && !(Number.isSafeInteger(s.received?.lsid) && Number.isSafeInteger(s.received?.gid?.b))) {
    throw new InputError('field "received": expected null or {lsid, gid}', p.state);
  }
  return s;
}

export function writeProxyState(p: ProxyPaths, s: ProxyVolumeState): Promise<void> {
  return atomicWriteFile(p.state, JSON.stringify(s, null, 2) + '\n');
}

export function emptyState(volume: string): ProxyVolumeState {
  return { formatVersion: 1, volume, state: 'Stopped', device: null, received: null, archives: {} };
}
