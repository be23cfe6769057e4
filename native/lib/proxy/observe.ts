/**
 * What a proxy reports about its volumes (observed state for the planner, and status): WalB's proxy
 * state, the log it holds (lsid and gid received), and per archive the queue — diffs waiting, their
 * bytes and gids, how long the oldest has waited — whether it is halted, leaving, and its delay.
 */
import { readdir } from 'node:fs/promises';

import type { GidSnap } from '../archive/gid.js';
import { proxyPaths, spoolRoot } from './layout.js';
import { listQueue } from './queue.js';
import { readProxyState } from './state.js';
import { spoolUsage } from './usage.js';

export interface ProxyQueueView {
  archive: string;
  diffs: number;
  bytes: number;
  /** The gid range the queued diffs cover, null when empty. */
  from: GidSnap | null;
  to: GidSnap | null;
  oldestArrived: string | null;
  delaySec: number;
  leaving: boolean;
  halted: { reject: string; detail: string; at: string } | null;
  /**
   * The newest diff the archive acknowledged (end lsid and gid), and the recovery point as this proxy
   * sees it: 0 when the archive has everything the proxy received, else the seconds since the storage
   * cut the newest diff the archive holds (the writes after it exist only here and upstream).
   */
  archivedLsid: number | null;
  archivedGid: number | null;
  recoveryPointSec: number | null;
}

export interface ProxyVolumeView {
  volume: string;
  state: 'Stopped' | 'Started';
  uuid: string | null;
  receivedLsid: number | null;
  receivedGid: GidSnap | null;
  receivedAt: string | null;
  spoolBytes: number;
  queues: ProxyQueueView[];
}

export interface ProxyView {
  spoolBytes: number;
  limitBytes: number;
  volumes: ProxyVolumeView[];
}

/**
 * The proxy's view: the spool's usage and, per volume (only `opts.volume` when given: a storage's
 * status call asks each second for its own volume, and every other volume's state and queues would
 * be read for nothing), its state and queues.
 */
export async function observeProxy(dataDir: string, limitBytes: number, opts: { volume?: string } = {}): Promise<ProxyView> {
  const usage = await spoolUsage(dataDir);
  const volumes: ProxyVolumeView[] = [];
  const names = opts.volume !== undefined ? [opts.volume] : await readdir(spoolRoot(dataDir)).catch(() => [] as string[]);
  for (const vol of names.filter((n) => !n.startsWith('.')).sort()) {
    const p = proxyPaths(dataDir, vol);
    const s = await readProxyState(p);
    if (!s) continue;
    const queues: ProxyQueueView[] = [];
    for (const [archive, a] of Object.entries(s.archives).sort()) {
      const q = await listQueue(p, archive);
      queues.push({
        archive,
        diffs: q.length,
        bytes: q.reduce((n, d) => n + d.bytes, 0),
        from: q[0]?.diff.b ?? null,
        to: q[q.length - 1]?.diff.e ?? null,
        oldestArrived: q[0] ? new Date(q[0].arrivedMs).toISOString() : null,
        delaySec: a.delaySec,
        leaving: a.leaving,
        halted: a.halted,
        archivedLsid: a.forwarded?.lsid ?? null,
        archivedGid: a.forwarded?.gid ?? null,
        recoveryPointSec: recoveryPoint(q.length, a.forwarded?.timestamp ?? null, q[0]?.arrivedMs ?? null),
      });
    }
    volumes.push({
      volume: vol,
      state: s.state,
      uuid: s.device?.uuid ?? null,
      receivedLsid: s.received?.lsid ?? null,
      receivedGid: s.received?.gid ?? null,
      receivedAt: s.received?.at ?? null,
      spoolBytes: usage.volumes[vol]?.bytes ?? 0,
      queues,
    });
  }
  return { spoolBytes: usage.totalBytes, limitBytes, volumes };
}

function recoveryPoint(queued: number, archivedAt: string | null, oldestArrivedMs: number | null): number | null {
  if (queued === 0) return 0;
  const since = archivedAt ? Date.parse(archivedAt) : oldestArrivedMs;
  return since === null ? null : Math.max(0, (Date.now() - since) / 1000);
}
