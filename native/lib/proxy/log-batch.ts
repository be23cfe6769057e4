/**
 * The `log-batch` transfer kind (storage → proxy), WalB's wlog-transfer on walbctl's wire. The
 * sender announces the batch (device, lsid range, gids); the proxy admits it (a typed reject
 * otherwise: the spool's reasons, as the wire's codes), or answers `done` for a range it holds
 * already (a lost acknowledgement); then the wlog streams resumably, and the proxy checks,
 * converts and queues it (storeBatch) BEFORE the stream's commit is acknowledged. The storage
 * frees its log only after that. Importing this file registers the kind.
 */
import { stat } from 'node:fs/promises';

import { InputError } from '../../../common/errors.js';
import type { WireClient, WirePeer } from '../wire/client.js';
import { registerKind } from '../wire/protocol/kinds.js';
import { WireReject } from '../wire/protocol/rejects.js';
import { dropPartial, partialDir } from '../wire/stream/partial.js';
import { receiveStream } from '../wire/stream/receive.js';
import type { TokenBucket } from '../wire/stream/token-bucket.js';
import { pick, sendFile, type SendResult } from '../wire/transfers/send-file.js';
import type { BatchWlog } from '../wdev/ship-log.js';
import type { BatchMeta } from './admit.js';
import { readSpoolConfig } from './config.js';
import { SpoolReject } from './errors.js';
import { admitIncoming, storeBatch, type StoreResult } from './receive.js';

export interface LogBatchParams {
  sizeBytes: number;
  checkpointBytes: number;
  meta: Omit<BatchMeta, 'volume' | 'wlogBytes'>;
}

function asWireReject(e: unknown): unknown {
  if (e instanceof SpoolReject) return new WireReject(e.reject, e.detail);
  // A logpack that fails its checks arrived as the sender read it: the digest matched, so the
  // sender's copy is bad; answered as a digest mismatch so the sender reads it again.
  if (e instanceof InputError) return new WireReject('digest-mismatch', e.message);
  return e;
}

registerKind({
  name: 'log-batch',
  async serve({ session, request, dataDir, board }) {
    const vol = request.volume!;
    const p = request.params as unknown as LogBatchParams;
    const meta: BatchMeta = { ...p.meta, volume: vol, wlogBytes: p.sizeBytes };
    const cfg = await readSpoolConfig(dataDir);
    const dir = partialDir(dataDir, 'log-batch', vol);
    try {
      const a = await admitIncoming(dataDir, meta, cfg);
      if (a.duplicate) {
        await dropPartial(dir);
        await session.send({ t: 'accept', done: true });
        return;
      }
    } catch (e) {
      throw asWireReject(e);
    }
    await session.send({ t: 'accept', done: false });
    const progress = board.begin('log-batch', vol, session.peer.host);
    try {
      await receiveStream<StoreResult>({
        session,
        dir,
        kind: 'log-batch',
        volume: vol,
        identity: { uuid: meta.device.uuid, lsid: meta.lsid, gidB: meta.diff.b, gidE: meta.diff.e },
        size: p.sizeBytes,
        checkpointBytes: p.checkpointBytes,
        progress,
        // Buffered: the commit converts the batch at once, reading it back from the page cache.
        direct: false,
        commit: (path) => storeBatch(dataDir, meta, path, cfg).catch((e: unknown) => Promise.reject(asWireReject(e))),
      });
    } finally {
      board.end(progress);
    }
  },
});

export interface SendLogBatchOptions {
  meta: BatchMeta;
  /** A wlog file, or a batch read out of the storage's log ring (wdev/ship-log.ts). */
  wlog: string | BatchWlog;
  checkpointBytes?: number;
  limits?: readonly TokenBucket[];
  onProgress?: (done: number, total: number) => void;
}

/** Sends one batch; resolves once the proxy stored it durably in every queue (or held it already). */
export async function sendLogBatch(client: WireClient, peer: WirePeer, o: SendLogBatchOptions): Promise<SendResult> {
  const w = o.wlog;
  const sizeBytes = typeof w === 'string' ? (await stat(w)).size : w.size;
  const { volume, wlogBytes: _w, ...rest } = o.meta;
  const params: LogBatchParams = { sizeBytes, checkpointBytes: o.checkpointBytes ?? 16 << 20, meta: rest };
  const source = typeof w === 'string' ? { source: w } : { source: w.name, open: () => w.open() };
  return sendFile(client, peer, { kind: 'log-batch', volume, params, ...source, ...pick(o) });
}
