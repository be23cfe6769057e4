/**
 * Continuous log shipping from a wdev to a proxy (WalB's storage → proxy wlog transfer), one batch
 * per call. A batch runs from the shipped position to the first snapshot not yet shipped; with no
 * snapshot waiting and new log written, it is the log up to the permanent lsid, at most
 * `maxBatchBytes` (WalB: 128 MiB), ending at an implicit snapshot recorded at the batch's end
 * BEFORE it is sent — so a resend after a crash or a lost acknowledgement is the same range with
 * the same gids, which the proxy recognises. The log is freed only after `send` resolved (the
 * proxy's durable acknowledgement).
 */
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

import type { BatchMeta } from '../proxy/admit.js';
import { withLock } from '../archive/lock.js';
import { nowSeconds, readCapture, writeCapture } from './capture-state.js';
import { readWdevConfig } from './config.js';
import { WdevOverflowError } from './errors.js';
import { extractWlog, setOldest, syncLog } from './log-position.js';
import { wdevPaths } from './paths.js';

export const WALB_MAX_BATCH_BYTES = 128 << 20;

/** Delivers a batch to a proxy; resolves once the proxy holds it durably. */
export type BatchSender = (meta: BatchMeta, wlog: string) => Promise<void>;

export interface ShippedBatch {
  gid: number;
  lsid: { b: number; e: number };
  bytes: number;
  explicit: boolean;
}

export interface ShipLogOptions {
  maxBatchBytes?: number;
}

/** Ships one batch; resolves to null when there is no new log to ship. */
export async function shipLogBatch(dataDir: string, vol: string, send: BatchSender, opts: ShipLogOptions = {}): Promise<ShippedBatch | null> {
  const p = wdevPaths(dataDir, vol);
  const cfg = await readWdevConfig(p.config);
  return withLock(join(p.dir, 'capture.lock'), async () => {
    const s = await readCapture(p.capture, vol);
    const st = await syncLog(p, vol);
    if (st.overflow) throw new WdevOverflowError(vol);
    await mkdir(p.work, { recursive: true });
    const wlog = join(p.work, 'batch.wlog');
    try {
      if (s.queue.length === 0) {
        if (st.permanentLsid === s.shipped.lsid) return null;
        const x = await extractWlog(p, vol, { from: s.shipped.lsid, to: st.permanentLsid, maxBytes: opts.maxBatchBytes ?? WALB_MAX_BATCH_BYTES }, wlog);
        s.latestGid += 1;
        s.queue.push({ gid: s.latestGid, lsid: x.to, timestamp: nowSeconds(), explicit: false });
        await writeCapture(p.capture, s);
      } else {
        await extractWlog(p, vol, { from: s.shipped.lsid, to: s.queue[0]!.lsid }, wlog);
      }
      const q = s.queue[0]!;
      const meta: BatchMeta = {
        volume: vol,
        device: { uuid: cfg.uuid, pbs: st.physicalBs, salt: st.salt, sizeBytes: cfg.sizeBytes },
        lsid: { b: s.shipped.lsid, e: q.lsid },
        diff: { b: s.shipped.snap, e: { b: q.gid, e: q.gid }, mergeable: !s.shipped.explicit, compared: false, timestamp: q.timestamp },
        explicitEnd: q.explicit,
        wlogBytes: 0,
      };
      const { size } = await stat(wlog);
      meta.wlogBytes = size;
      await send(meta, wlog);
      await setOldest(p, vol, q.lsid);
      s.shipped = { snap: { b: q.gid, e: q.gid }, lsid: q.lsid, explicit: q.explicit };
      s.queue.shift();
      await writeCapture(p.capture, s);
      return { gid: q.gid, lsid: meta.lsid, bytes: size, explicit: q.explicit };
    } finally {
      await rm(wlog, { force: true });
    }
  }, { volume: vol, operation: 'ship-log', timeoutMs: 600_000 });
}
