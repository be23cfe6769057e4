/**
 * `archive restore VOL GID --path TARGET --from HOST`: the restore a replacement host makes after a
 * disk failure — the image of GID, built and checked by HOST's archive, streamed over the wire
 * (mutual TLS, resumable, checksummed frames and a whole-stream digest) and written onto TARGET on
 * this host with the local restore's own checks. The tree in the current directory says who may:
 * this host must be the volume's storage host or in its restoreHosts (fleet/authorize.ts), checked
 * here before dialling and again by HOST's daemon at its door.
 */
import { resolve } from 'node:path';

import { UsageError } from '../../../../common/errors.js';
import type { OnProgress } from '../../../../native/lib/archive/progress.js';
import { fetchRestore, withRetries, type FetchRestoreResult } from '../../../../native/lib/wire/index.js';
import { loadAllHosts } from '../../../apply/host-context.js';
import { recordRestoredPath } from '../../../apply/restored-paths.js';
import { authorizeSend } from '../../../fleet/authorize.js';
import { endpointFor } from '../../../fleet/wire-registry.js';

export interface RestoreFromOptions {
  treeDir: string;
  /** This host (--host): its data directory, certificate and role come from the tree. */
  hostName: string | undefined;
  from: string;
  path: string | undefined;
  overwrite: boolean;
  onProgress?: OnProgress;
  /** Told about each retry after a cut link or a back-off reject (the stream resumes). */
  onRetry?: (attempt: number, error: Error, delayMs: number) => void;
}

export async function restoreFrom(vol: string, gid: number, o: RestoreFromOptions): Promise<FetchRestoreResult> {
  if (!o.hostName) throw new UsageError('archive restore --from HOST needs --host NAME (this host, from the tree in the current directory)');
  if (!o.path) throw new UsageError('archive restore --from HOST needs --path FILE|DEVICE (where the image goes on this host)');
  const desired = await loadAllHosts(o.treeDir);
  const host = desired.hosts[o.hostName];
  if (!host) throw new UsageError(`archive restore: host ${o.hostName} is not in the tree at ${o.treeDir}`);
  const peerHost = desired.hosts[o.from];
  if (!peerHost) throw new UsageError(`archive restore --from: host ${o.from} is not in the tree at ${o.treeDir}`);
  const verdict = authorizeSend(desired, o.hostName, o.from, { operation: 'restore', volume: vol });
  if (!verdict.allowed) throw new UsageError(`archive restore --from ${o.from}: the tree does not allow it (${verdict.code}: ${verdict.message})`);
  const target = resolve(o.treeDir, o.path);
  const e = await endpointFor(host, desired);
  const peer = e.peerRef(peerHost);
  await recordRestoredPath(host.dataDir, target);
  return withRetries(
    () => fetchRestore(e.client, peer, { volume: vol, gid, dataDir: host.dataDir, target, overwrite: o.overwrite, ...(o.onProgress ? { onProgress: o.onProgress } : {}) }),
    { attempts: 6, firstDelayMs: 1000, maxDelayMs: 30_000, ...(o.onRetry ? { onRetry: o.onRetry } : {}) },
  );
}
