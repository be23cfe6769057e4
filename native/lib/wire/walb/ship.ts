/**
 * walbctl's storage shipping to a walb-proxy: a wdev's log batch (wdev/ship-log.ts) sent with WalB's
 * wlog-transfer instead of walbctl's log-batch kind. The batch's clean `|B|-->|E|`, its timestamp and
 * mergeable flag become the MetaDiff; the promise resolves on walb-proxy's acknowledgement, after
 * which the storage frees the log (a lost one: the same range is sent again, and the archive answers
 * too-old-diff for it).
 */
import type { BatchMeta } from '../../proxy/admit.js';
import type { BatchSender, BatchWlog } from '../../wdev/ship-log.js';
import { sendWlogTransfer, type WalbTarget } from './wlog-transfer.js';

export function walbBatchSender(target: WalbTarget, clientId: string, options: { timeoutMs?: number } = {}): BatchSender {
  return async (meta: BatchMeta, batch: BatchWlog) => {
    const wlog = await batch.file();
    await sendWlogTransfer(target, clientId, {
      volume: meta.volume,
      uuid: meta.device.uuid,
      sizeLb: Math.floor(meta.device.sizeBytes / 512),
      diff: { b: meta.diff.b, e: meta.diff.e, mergeable: meta.diff.mergeable, compared: false, timestamp: meta.diff.timestamp, dataSize: 0 },
    }, wlog, options);
  };
}
