/**
 * Shipping (the storage → proxy → archive path on one host): for each snapshot taken and not yet
 * archived, extract the log between the shipped position and its lsid as a wlog, convert it to a
 * sorted wdiff `|prev|-->|gid|` (the proxy's work), hand it to the archive, and only then advance
 * the oldest lsid so the ring space comes free. Every step can be re-run after a crash: the log is
 * not freed before the archive holds the diff, and the archive ignores a diff it already has.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

import { StateError } from '../../../common/errors.js';
import { targetFor, type ArchiveTarget } from '../storage/archive-target.js';
import type { CompressionName } from '../native-types.js';
import { convertWlog } from '../wlog.js';
import { settleAcknowledged, writeCapture, type CaptureState } from './capture-state.js';
import { checkpointLog, extractWlog, logStatus, setOldest } from './log-position.js';
import type { WdevPaths } from './paths.js';

export interface ShippedDiff {
  gid: number;
  file: string;
  wlogBytes: number;
  ios: number;
}

export async function shipQueue(p: WdevPaths, vol: string, s: CaptureState, opts: { compression?: string; archive?: ArchiveTarget } = {}): Promise<ShippedDiff[]> {
  const shipped: ShippedDiff[] = [];
  const archive = targetFor(s.archiveDataDir, opts.archive);
  if (!archive && s.queue.length > 0) throw new StateError(`volume ${vol}: its diffs go to the remote archive ${s.archiveDataDir.slice(5)}; ship them with that archive`);
  await mkdir(p.work, { recursive: true });
  // A crash between a set-oldest and the capture write after it: that snapshot was archived.
  if (s.queue.length > 0 && settleAcknowledged(s, (await logStatus(p, vol)).oldestLsid)) await writeCapture(p.capture, s);
  while (s.queue.length > 0) {
    const q = s.queue[0]!;
    const wlog = join(p.work, `${q.gid}.wlog`);
    const wdiff = join(p.work, `${q.gid}.wdiff`);
    try {
      const x = await extractWlog(p, vol, { from: s.shipped.lsid, to: q.lsid }, wlog);
      await convertWlog([wlog], wdiff, { compression: (opts.compression ?? 'lz4') as CompressionName });
      const diff = { b: s.shipped.snap, e: { b: q.gid, e: q.gid }, mergeable: !s.shipped.explicit, compared: false, timestamp: q.timestamp };
      const file = await archive!.addDiff(vol, { source: wdiff, diff, explicitEnd: q.explicit });
      await setOldest(p, vol, q.lsid);
      s.shipped = { snap: { b: q.gid, e: q.gid }, lsid: q.lsid, explicit: q.explicit };
      s.queue.shift();
      await writeCapture(p.capture, s);
      shipped.push({ gid: q.gid, file, wlogBytes: x.bytes, ios: x.ios + x.discards });
    } finally {
      await rm(wlog, { force: true });
      await rm(wdiff, { force: true });
    }
  }
  // A served wdev writes set-oldest to its super at its next checkpoint; a snapshot ships rarely,
  // so this path pays that write now: a crash right after a ship must not bring the shipped log
  // back into the ring (the next writes could then overflow it).
  if (shipped.length > 0) await checkpointLog(p, vol);
  return shipped;
}
