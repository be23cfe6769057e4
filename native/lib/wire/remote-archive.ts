/**
 * A storage volume's archive on another host, as the storage's operations see it
 * (storage/archive-target.ts): full backup, hash backup and snapshots (`fullBackup`, `hashBackup`,
 * `snapshot` with `{ archive: remoteArchive(...) }`) then go over the wire, each transfer retried
 * with back-off as the reject table says and resumed from the archive's checkpoint.
 */
import { rm } from 'node:fs/promises';

import { formatDiffName } from '../archive/diff-name.js';
import { ChainRelationError } from '../archive/errors.js';
import { wdiffUuid } from '../archive/uuid.js';
import type { ArchiveTarget } from '../storage/archive-target.js';
import type { WireClient, WirePeer } from './client.js';
import { sendDiff } from './transfers/diff.js';
import { sendFullBackup } from './transfers/full-backup.js';
import { WireReject } from './protocol/rejects.js';
import { fetchHashIndex } from './transfers/hash-index.js';
import { withRetries, type RetryOptions } from './transfers/retry.js';
import { wireStatus } from './transfers/status.js';
import type { TokenBucket } from './stream/token-bucket.js';

export interface RemoteArchiveOptions {
  client: WireClient;
  peer: WirePeer;
  /** The storage's data directory (where a resumable index fetch keeps its partial). */
  dataDir: string;
  /** Token buckets that apply (this host's, the volume's). */
  limits?: readonly TokenBucket[];
  retry?: RetryOptions;
  /** Bytes per checkpoint of a full backup and of a diff (defaults 64 and 16 MiB). */
  checkpointBytes?: number;
}

export function remoteArchive(o: RemoteArchiveOptions): ArchiveTarget {
  const retry = <T>(run: () => Promise<T>): Promise<T> => withRetries(run, o.retry);
  const limits = o.limits ? { limits: o.limits } : {};
  return {
    ref: `wire:${o.peer.host}`,
    state: async (vol) => (await retry(() => wireStatus(o.client, o.peer, vol))).archives[vol]?.state ?? 'Clear',
    fullBackupId: async (vol) => (await retry(() => wireStatus(o.client, o.peer, vol))).fullBackupIds[vol] ?? null,
    async fullBackup(vol, meta, t) {
      const onProgress = t.onProgress ? { onProgress: (done: number, total: number) => t.onProgress!({ phase: 'send', done, total }) } : {};
      const r = await retry(() =>
        sendFullBackup(o.client, o.peer, {
          volume: vol,
          source: meta.devicePath,
          sizeBytes: meta.sizeBytes,
          uuid: meta.uuid,
          snap: t.snap,
          id: t.id,
          timestamp: t.timestamp,
          ...(o.checkpointBytes ? { checkpointBytes: o.checkpointBytes } : {}),
          ...limits,
          ...onProgress,
        }),
      );
      // The storage's index is the archive's hash of the base it installed: exactly what it holds.
      const indexOut = t.indexOut;
      if (indexOut) await retry(() => fetchHashIndex(o.client, o.peer, { volume: vol, dataDir: o.dataDir, uuid: meta.uuid, sizeBytes: meta.sizeBytes, bulkSize: meta.bulkSize, indexOut }));
      return { bytesScanned: meta.sizeBytes, bytesRead: r.sentBytes, dataBytes: r.wireBytes };
    },
    async addDiff(vol, d) {
      const uuid = await wdiffUuid(d.source);
      const r = await retry(() => sendDiff(o.client, o.peer, { volume: vol, uuid, file: d.source, diff: d.diff, explicitEnd: d.explicitEnd, ...limits, ...(o.checkpointBytes ? { checkpointBytes: o.checkpointBytes } : {}) })).catch((e: unknown) => {
        // The storage's pending step drops a hash backup's diff the archive moved past, as it does locally.
        // The archive's detail already begins with the volume, which ChainRelationError adds again.
        if (!(e instanceof WireReject && e.reject === 'base-moved')) throw e;
        const detail = e.detail.startsWith(`${vol}: `) ? e.detail.slice(vol.length + 2) : e.detail;
        throw new ChainRelationError(vol, 'base-moved', `archive ${o.peer.host} refused the diff (base-moved): ${detail}`);
      });
      await rm(d.source, { force: true });
      return (r.result as { file?: string } | null)?.file ?? formatDiffName(d.diff);
    },
    latestIndex: (vol, meta, x) => retry(() => fetchHashIndex(o.client, o.peer, { volume: vol, dataDir: o.dataDir, uuid: meta.uuid, sizeBytes: meta.sizeBytes, bulkSize: meta.bulkSize, indexOut: x.indexOut })),
  };
}
