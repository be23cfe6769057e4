/**
 * `hash-index`: the archive hashes its newest image bulk by bulk (XXH3-128 with the seed the
 * request names, chosen per run by the storage; the storage's own index format,
 * native/src/scan/hash_index.h, which records the seed) and streams the index back to the storage,
 * which then sends only the bulks that differ (a hash backup), or keeps it as the index of a base it
 * just sent (a full backup). The archive is the sender here; the storage says where to resume.
 */
import { rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

import type { GidSnap } from '../../../../common/observed.js';
import { scanVolume } from '../../archive/addon.js';
import { newHashSeed } from '../../archive/hash-seed.js';
import { tempFor } from '../../archive/files.js';
import { latestImage } from '../../archive/latest-image.js';
import { archivePaths } from '../../archive/layout.js';
import type { WireClient, WirePeer } from '../client.js';
import { registerKind } from '../protocol/kinds.js';
import { WireReject } from '../protocol/rejects.js';
import { partialDir, readPartial } from '../stream/partial.js';
import { receiveStream } from '../stream/receive.js';
import { sendStream } from '../stream/send.js';
import { admitArchive } from './admit.js';

export interface HashIndexParams {
  uuid: string;
  sizeBytes: number;
  bulkSize: number;
  checkpointBytes: number;
  /** The hashes' seed, 16 hex digits (absent from an older storage: unseeded). */
  seed?: string;
}

registerKind({
  name: 'hash-index',
  async serve({ session, request, dataDir, board }) {
    const vol = request.volume!;
    const p = request.params as unknown as HashIndexParams;
    const meta = await admitArchive(dataDir, vol);
    if (meta.state !== 'Archived') throw new WireReject('wrong-state', `the archive of ${vol} is ${meta.state}: it has no image to hash`);
    if (meta.sizeBytes !== null && meta.sizeBytes !== p.sizeBytes) throw new WireReject('size-mismatch', `the archive of ${vol} is ${meta.sizeBytes} bytes, the volume ${p.sizeBytes}`);
    if (p.seed !== undefined && !/^[0-9a-f]{16}$/.test(p.seed)) throw new WireReject('internal', `hash-index seed ${JSON.stringify(p.seed)} is not 16 hex digits`);
    const index = tempFor(join(archivePaths(dataDir, vol).dir, 'wire.index'));
    const progress = board.begin('hash-index', vol, session.peer.host);
    try {
      const snap = await latestImage(dataDir, vol, {
        onProgress: (e) => Object.assign(progress, { done: e.done, total: e.total }),
        use: async (img) => {
          await scanVolume({ source: img.path, sizeBytes: p.sizeBytes, bulkSize: p.bulkSize, uuid: p.uuid, indexOut: index, gidB: img.snap.b, gidE: img.snap.e, ...(p.seed ? { seed: p.seed } : {}) });
          return img.snap;
        },
      });
      const size = (await stat(index)).size;
      await session.send({ t: 'accept', snap, sizeBytes: size });
      await sendStream({ session, source: index, size, checkpointBytes: p.checkpointBytes, onProgress: (done, total) => Object.assign(progress, { done, total }) });
    } finally {
      board.end(progress);
      await rm(index, { force: true });
    }
  },
});

/**
 * Fetches the hash index of `peer`'s newest image of `volume` into `indexOut` (resumable through
 * the storage's partial in `dataDir`); returns the snapshot the index describes. The archive hashes
 * with `seed` (default: the seed of an unfinished fetch of the same index from this peer, whose
 * partial a fetch with any other seed would throw away, so that a retry — of the transfer or of the
 * whole operation — resumes it; else a new one); the index file records it, so a scan comparing
 * with it (scanVolume's indexIn) hashes the same way. A finished fetch leaves no partial: the next
 * fetch draws a new seed.
 */
export async function fetchHashIndex(
  client: WireClient,
  peer: WirePeer,
  o: { volume: string; dataDir: string; uuid: string; sizeBytes: number; bulkSize: number; indexOut: string; seed?: string },
): Promise<GidSnap> {
  const dir = partialDir(o.dataDir, 'hash-index', o.volume);
  const seed = o.seed ?? (await unfinishedSeed(dir, peer.host, o)) ?? newHashSeed();
  const params: HashIndexParams = { uuid: o.uuid, sizeBytes: o.sizeBytes, bulkSize: o.bulkSize, checkpointBytes: 1 << 20, seed };
  const { session, accept } = await client.open(peer, { kind: 'hash-index', volume: o.volume, params: params as unknown as Record<string, unknown> });
  const snap = accept.snap as GidSnap;
  try {
    await receiveStream({
      session,
      dir,
      kind: 'hash-index',
      volume: o.volume,
      identity: { peer: peer.host, snap, uuid: o.uuid, bulkSize: o.bulkSize, sizeBytes: accept.sizeBytes, seed: params.seed },
      size: Number(accept.sizeBytes),
      checkpointBytes: params.checkpointBytes,
      commit: async (path) => {
        await rename(path, o.indexOut);
        return null;
      },
    });
    client.metrics.link(peer.host).transfersDone++;
    return snap;
  } catch (e) {
    client.metrics.link(peer.host).transfersFailed++;
    client.metrics.error(peer.host, (e as Error).message);
    throw e;
  } finally {
    await session.close().catch(() => {});
  }
}

/** The seed of the unfinished fetch in `dir` when it is of this peer's index of this volume (same uuid and bulk size). */
async function unfinishedSeed(dir: string, peer: string, o: { uuid: string; bulkSize: number }): Promise<string | null> {
  const p = await readPartial(dir).catch(() => null);
  const id = p?.identity;
  if (!id || id.peer !== peer || id.uuid !== o.uuid || id.bulkSize !== o.bulkSize) return null;
  return typeof id.seed === 'string' && /^[0-9a-f]{16}$/.test(id.seed) ? id.seed : null;
}
