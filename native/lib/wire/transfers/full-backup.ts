/**
 * `full-backup`: a volume's image into a remote archive's base (WalB's dirty full sync over the
 * wire). The archive must be SyncReady; the image streams resumably and is installed as the base
 * `|b,e|` with its full-backup id by archive/receive.ts before the storage hears it landed. A re-run
 * of a full backup that already landed (same id) is recognised and answered `done`.
 */
import { rename } from 'node:fs/promises';

import type { GidSnap } from '../../../../common/observed.js';
import { SUMS_BULK } from '../../archive/base-sums.js';
import { receiveFullBackup } from '../../archive/receive.js';
import type { WireClient, WirePeer } from '../client.js';
import { registerKind } from '../protocol/kinds.js';
import { WireReject } from '../protocol/rejects.js';
import { receiveStream } from '../stream/receive.js';
import { dropPartial, partialDir, readPartial } from '../stream/partial.js';
import type { TokenBucket } from '../stream/token-bucket.js';
import { admitArchive, admitSpace } from './admit.js';
import { pick, sendFile, type SendResult } from './send-file.js';

export type { SendResult };

export interface FullBackupParams {
  /** The storage's device uuid (32 hex digits). */
  uuid: string;
  sizeBytes: number;
  snap: GidSnap;
  /** The full backup's id (the storage records it; a re-run with the same id is the same backup). */
  id: string;
  timestamp: string;
  checkpointBytes: number;
}

registerKind({
  name: 'full-backup',
  async serve({ session, request, dataDir, board }) {
    const vol = request.volume!;
    const p = request.params as unknown as FullBackupParams;
    const dir = partialDir(dataDir, 'full-backup', vol);
    const meta = await admitArchive(dataDir, vol);
    if (meta.fullBackupId === p.id && meta.state !== 'SyncReady') {
      await dropPartial(dir);
      await session.send({ t: 'accept', done: true });
      return;
    }
    if (meta.state !== 'SyncReady') throw new WireReject('wrong-state', `the archive of ${vol} is ${meta.state}; a full backup needs SyncReady`);
    if (meta.sizeBytes !== null && meta.sizeBytes !== p.sizeBytes) throw new WireReject('size-mismatch', `the archive of ${vol} is ${meta.sizeBytes} bytes, the volume ${p.sizeBytes}`);
    const had = await readPartial(dir);
    await admitSpace(dataDir, vol, p.sizeBytes - (had?.identity.id === p.id ? had.offset : 0));
    await session.send({ t: 'accept', done: false });
    const progress = board.begin('full-backup', vol, session.peer.host);
    try {
      await receiveStream({
        session,
        dir,
        kind: 'full-backup',
        volume: vol,
        identity: { id: p.id, uuid: p.uuid, sizeBytes: p.sizeBytes, snap: p.snap },
        size: p.sizeBytes,
        checkpointBytes: p.checkpointBytes,
        progress,
        // base.sums from the bytes as they arrive: the image is not read again at commit.
        bulkSums: SUMS_BULK,
        commit: (path, received) =>
          receiveFullBackup(dataDir, vol, {
            deviceUuid: p.uuid,
            sizeBytes: p.sizeBytes,
            snap: p.snap,
            timestamp: p.timestamp,
            id: p.id,
            produce: async (tmp) => {
              await rename(path, tmp);
              return { base: p.snap };
            },
            sumsOf: () => received.sums,
          }),
      });
    } finally {
      board.end(progress);
    }
  },
});

export interface SendFullBackupOptions extends Omit<FullBackupParams, 'checkpointBytes'> {
  volume: string;
  /** The volume's device or image file. */
  source: string;
  checkpointBytes?: number;
  limits?: readonly TokenBucket[];
  onProgress?: (done: number, total: number) => void;
}

/** Sends a full backup; resolves once the archive has installed the base and said so. */
export async function sendFullBackup(client: WireClient, peer: WirePeer, o: SendFullBackupOptions): Promise<SendResult> {
  const params: FullBackupParams = { uuid: o.uuid, sizeBytes: o.sizeBytes, snap: o.snap, id: o.id, timestamp: o.timestamp, checkpointBytes: o.checkpointBytes ?? 64 << 20 };
  return sendFile(client, peer, { kind: 'full-backup', volume: o.volume, params, source: o.source, ...pick(o) });
}
