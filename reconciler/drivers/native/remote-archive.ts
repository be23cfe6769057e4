/**
 * The storage role sending to a primary archive on another host (scan capture). The scan writes into
 * an outbox — a staging archive of the volume in `<dataDir>/outbox/` — exactly as it writes into a
 * local archive, so the storage's hash index always matches what the archive will hold; then
 * `ship` sends what the peer lacks over the wire: the base (a resumable full backup), then each diff
 * newer than the peer's newest gid, in order. The peer says what it holds (the status call) before
 * anything is sent, and acknowledges each transfer only after installing it, so a ship cut at any
 * point is simply run again. The outbox keeps the base and every diff, so a new primary archive (the
 * tree moved it) receives the chain the same way. Once the peer holds a diff, the outbox folds it
 * into its base (outbox-prune.ts): it keeps one image of the volume and what the peer lacks.
 */
import { join } from 'node:path';

import { archiveMeta, archivePaths, initArchiveVolume, observeArchive, parseDiffName } from '../../../native/lib/archive/index.js';
import { sendDiff, sendFullBackup, TokenBucket } from '../../../native/lib/wire/index.js';
import type { DesiredHost, DesiredVolume } from '../../model/desired.js';
import { endpointFor } from '../../fleet/wire-registry.js';
import type { ActionContext } from '../driver.js';
import { ActionFailedError } from '../errors.js';
import { pruneOutbox } from './outbox-prune.js';

/** The outbox: a staging archive of this host's volumes bound for other hosts. */
export function outboxDir(host: DesiredHost): string {
  return join(host.dataDir, 'outbox');
}

/** Makes the staging archive of `vol` when it is not there yet. */
export async function ensureOutbox(host: DesiredHost, vol: string): Promise<string> {
  const dir = outboxDir(host);
  if (!(await archiveMeta(dir, vol))) await initArchiveVolume(dir, vol);
  return dir;
}

const buckets = new Map<string, TokenBucket>();
function bucket(key: string, rate: number | null | undefined): TokenBucket[] {
  if (!rate) return [];
  let b = buckets.get(key);
  if (!b || b.rate !== rate) buckets.set(key, (b = new TokenBucket(rate)));
  return [b];
}

/** The bandwidth limits that apply to `volume`'s transfers: the host's and the volume's. */
export function limitsFor(host: DesiredHost, volume: DesiredVolume | null): TokenBucket[] {
  return [...bucket(`host:${host.name}`, host.wire?.bandwidthLimitBytes), ...(volume ? bucket(`volume:${volume.address}`, volume.wire?.bandwidthLimitBytes) : [])];
}

export interface ShipResult {
  base: 'sent' | 'already' | 'none';
  diffs: number;
  wireBytes: number;
  resumedFrom: number;
  /** Diffs the peer holds that the outbox folded into its base. */
  pruned: number;
}

/** Sends the peer what the outbox holds and it lacks; returns what went. */
export async function ship(actionId: string, ctx: ActionContext, peerName: string, onProgress?: (done: number, total: number) => void): Promise<ShipResult> {
  const { host, volumeName: vol } = ctx;
  const peerHost = ctx.desired.hosts[peerName];
  if (!peerHost) throw new ActionFailedError(actionId, `no host ${peerName} in the tree`);
  const e = await endpointFor(host, ctx.desired);
  const peer = e.peerRef(peerHost);
  const dir = outboxDir(host);
  const meta = await archiveMeta(dir, vol);
  const staged = await observeArchive(dir, vol);
  if (!meta || !staged || (staged.state !== 'Archived' && staged.state !== 'Stopped')) throw new ActionFailedError(actionId, `nothing staged for ${peerName} (no base in ${dir}): reset the storage and back it up again`);
  const status = await e.askStatus(peerHost, vol);
  const remote = status.archive;
  if (!remote || remote.state === 'Clear') throw new ActionFailedError(actionId, `${peerName} has not initialised its archive of ${vol} yet`, { retryable: true });
  const limits = limitsFor(host, ctx.volume);
  const out: ShipResult = { base: 'none', diffs: 0, wireBytes: 0, resumedFrom: 0, pruned: 0 };
  let newest = remote.state === 'SyncReady' ? null : Math.max(remote.base.b.e, ...remote.diffs.map((d) => d.e.b));
  if (remote.state === 'SyncReady') {
    const board = e.sending.begin(peerName, 'full-backup', vol, meta.sizeBytes ?? 0);
    try {
      const r = await sendFullBackup(e.client, peer, {
        volume: vol, source: archivePaths(dir, vol).base, sizeBytes: meta.sizeBytes!, uuid: meta.deviceUuid!, snap: meta.base.b,
        id: meta.fullBackupId!, timestamp: meta.baseTimestamp ?? new Date().toISOString(), limits,
        onProgress: (done, total) => { board.done = done; board.total = total; onProgress?.(done, total); },
      });
      out.base = r.outcome;
      out.wireBytes += r.wireBytes;
      out.resumedFrom = r.resumedFrom;
    } finally {
      e.sending.end(board);
    }
    newest = meta.base.b.e;
  }
  const explicit = new Set(staged.explicitSnapshots);
  for (const d of [...staged.diffs].sort((x, y) => x.e.b - y.e.b)) {
    if (newest !== null && d.e.b <= newest) continue;
    const name = parseDiffName(d.file)!;
    const board = e.sending.begin(peerName, 'diff', vol, d.dataSize);
    try {
      const r = await sendDiff(e.client, peer, {
        volume: vol, uuid: meta.deviceUuid!, file: join(archivePaths(dir, vol).dir, d.file), diff: name, explicitEnd: explicit.has(d.e.b), limits,
        onProgress: (done, total) => { board.done = done; board.total = total; },
      });
      out.wireBytes += r.wireBytes;
      if (r.outcome === 'sent') out.diffs++;
    } finally {
      e.sending.end(board);
    }
    newest = d.e.b;
  }
  // Everything up to `newest` is acknowledged (installed and registered by the peer): fold it away.
  out.pruned = (await pruneOutbox(dir, vol, newest)).diffsFolded;
  return out;
}
