/**
 * Continuous log shipping from a wdev to a proxy (WalB's storage → proxy wlog transfer), one batch
 * per call. A batch runs from the shipped position to the first snapshot not yet shipped; with no
 * snapshot waiting and new log written, it is the log up to the permanent lsid, at most
 * `maxBatchBytes` (WalB: 128 MiB), ending at an implicit snapshot recorded at the batch's end
 * BEFORE it is sent — so a resend after a crash or a lost acknowledgement is the same range with
 * the same gids, which the proxy recognises. The log is freed only after `send` resolved (the
 * proxy's durable acknowledgement).
 *
 * The batch's packs are not copied out of the ring: `extract --frame-only` checks the packs'
 * headers and finds where the batch ends, and the sender reads the packs from the ring
 * (ring-wlog.ts) while they go on the wire. Only a sender that needs a file (WalB's wlog-transfer)
 * asks for one, and gets the old extract's copy.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

import type { BatchMeta } from '../proxy/admit.js';
import { withLock } from '../archive/lock.js';
import { nowSeconds, readCapture, settleAcknowledged, writeCapture } from './capture-state.js';
import { readWdevConfig } from './config.js';
import { WdevOverflowError } from './errors.js';
import { extractFrame, extractWlog, logStatus, setOldest, syncLog, type ExtractResult } from './log-position.js';
import { wdevPaths, type WdevPaths } from './paths.js';
import { openRingWlog, ringWlogBytes } from './ring-wlog.js';
import { openSource, type ByteSource } from '../wire/stream/source.js';

export const WALB_MAX_BATCH_BYTES = 128 << 20;

/** A batch's wlog as its sender reads it. */
export interface BatchWlog {
  /** For messages: the ldev and the lsid range. */
  name: string;
  /** The wlog's size in bytes. */
  size: number;
  /** Its bytes, read from the ring (each call opens it anew: a resend or a resume). */
  open(): Promise<ByteSource>;
  /** The wlog as a file, extracted on the first call and removed after the batch (WalB's wlog-transfer takes a file). */
  file(): Promise<string>;
}

/** Delivers a batch to a proxy; resolves once the proxy holds it durably. */
export type BatchSender = (meta: BatchMeta, wlog: BatchWlog) => Promise<void>;

/** A batch's wlog that is already a file (a test's or a tool's wlog): read from it, handed over as it is. */
export function fileBatchWlog(path: string, size: number): BatchWlog {
  return { name: path, size, open: () => openSource(path), file: async () => path };
}

function ringBatch(p: WdevPaths, vol: string, frame: string, x: ExtractResult): BatchWlog {
  const range = { from: x.from, to: x.to, ringBlocks: x.ringBlocks, pbs: x.pbs };
  const wlog = join(p.work, 'batch.wlog');
  let file: Promise<string> | null = null;
  return {
    name: `${p.ldev} lsids ${x.from}-${x.to}`,
    size: ringWlogBytes(range),
    open: () => openRingWlog(p.ldev, frame, range),
    file: () => (file ??= extractWlog(p, vol, { from: x.from, to: x.to }, wlog).then(() => wlog)),
  };
}

export interface ShippedBatch {
  gid: number;
  lsid: { b: number; e: number };
  bytes: number;
  explicit: boolean;
}

export interface ShipLogOptions {
  maxBatchBytes?: number;
}

/**
 * Ships one batch; resolves to null when there is no new log to ship.
 *
 * Each flush of the disk's cache costs the writer (native/lib/proxy/design.md, 2026-12-07
 * afternoon: a 1 MiB sequential writer lost less in each round with one flush a batch than with the
 * six it had), so a batch makes as few as it can: it flushes the log only when the durable log does
 * not already fill a batch (at full speed the checkpointer's flush every second keeps the durable
 * log far ahead of the shipping); capture.json is written once a batch, when it is cut, and the
 * batch acknowledged last is recorded there by the next pass (settleAcknowledged: the freed log
 * says it was acknowledged), which comes at once while there is log to ship and within the loop's
 * idle poll otherwise; set-oldest leaves the super's write to the wdev's next checkpoint.
 */
export async function shipLogBatch(dataDir: string, vol: string, send: BatchSender, opts: ShipLogOptions = {}): Promise<ShippedBatch | null> {
  const p = wdevPaths(dataDir, vol);
  // The idle check without the lock (the loop polls every 100 ms): capture.json is replaced
  // atomically, and a stale read can only show older shipped lsids or a queue entry, which the
  // locked pass below reads again. 1 ms of CPU a poll instead of 3.4 (the lock's file work). It
  // reads where the log ends (the latest lsid: every acknowledged write's pack) without a flush.
  const first = await logStatus(p, vol);
  if (first.overflow) throw new WdevOverflowError(vol);
  const seen = await readCapture(p.capture, vol);
  // Idle unless there is log, a queued snapshot, or acknowledged log a crash brought back (the
  // locked pass frees it again).
  if (seen.queue.length === 0 && first.latestLsid <= seen.shipped.lsid && first.oldestLsid >= seen.shipped.lsid) return null;
  const cfg = await readWdevConfig(p.config);
  const maxBytes = opts.maxBatchBytes ?? WALB_MAX_BATCH_BYTES;
  return withLock(join(p.dir, 'capture.lock'), async () => {
    const s = await readCapture(p.capture, vol);
    let st = await logStatus(p, vol);
    if (st.overflow) throw new WdevOverflowError(vol);
    const settled = settleAcknowledged(s, st.oldestLsid);
    // A crash of the wdev before its checkpoint wrote a set-oldest brings the older oldest lsid
    // back while capture.json recorded the batch as acknowledged: free that log again, or the
    // ring stays fuller than it is until the next acknowledgement.
    if (st.oldestLsid < s.shipped.lsid) st = await setOldest(p, vol, s.shipped.lsid);
    if (s.queue.length === 0 && st.latestLsid > s.shipped.lsid && (st.permanentLsid - s.shipped.lsid) * st.physicalBs < maxBytes) {
      st = await syncLog(p, vol); // the batch takes the newest writes: make them durable first
      if (st.overflow) throw new WdevOverflowError(vol);
    }
    await mkdir(p.work, { recursive: true });
    const frame = join(p.work, 'batch.frame');
    try {
      let x: ExtractResult;
      if (s.queue.length === 0) {
        if (st.permanentLsid <= s.shipped.lsid) {
          if (settled) await writeCapture(p.capture, s);
          return null;
        }
        x = await extractFrame(p, vol, { from: s.shipped.lsid, to: st.permanentLsid, maxBytes }, frame);
        s.latestGid += 1;
        s.queue.push({ gid: s.latestGid, lsid: x.to, timestamp: nowSeconds(), explicit: false });
        await writeCapture(p.capture, s);
      } else {
        if (settled) await writeCapture(p.capture, s);
        x = await extractFrame(p, vol, { from: s.shipped.lsid, to: s.queue[0]!.lsid }, frame);
      }
      const q = s.queue[0]!;
      const wlog = ringBatch(p, vol, frame, x);
      const meta: BatchMeta = {
        volume: vol,
        device: { uuid: cfg.uuid, pbs: st.physicalBs, salt: st.salt, sizeBytes: cfg.sizeBytes },
        lsid: { b: s.shipped.lsid, e: q.lsid },
        diff: { b: s.shipped.snap, e: { b: q.gid, e: q.gid }, mergeable: !s.shipped.explicit, compared: false, timestamp: q.timestamp },
        explicitEnd: q.explicit,
        wlogBytes: wlog.size,
      };
      await send(meta, wlog);
      // Frees the log; capture.json is brought up to it by the next pass (settleAcknowledged), but
      // for a batch that carried no log (a snapshot with nothing written since the last batch): the
      // freed log cannot tell that one was acknowledged.
      await setOldest(p, vol, q.lsid);
      if (q.lsid === s.shipped.lsid) {
        s.shipped = { snap: { b: q.gid, e: q.gid }, lsid: q.lsid, explicit: q.explicit };
        s.queue.shift();
        await writeCapture(p.capture, s);
      }
      return { gid: q.gid, lsid: meta.lsid, bytes: wlog.size, explicit: q.explicit };
    } finally {
      await rm(frame, { force: true });
      await rm(join(p.work, 'batch.wlog'), { force: true });
    }
  }, { volume: vol, operation: 'ship-log', timeoutMs: 600_000 });
}
