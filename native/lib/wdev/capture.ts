/**
 * The storage role with `wdev` capture (spec/walb-model.md): a snapshot is an explicit gid at the
 * permanent lsid, shipped as the log since the previous one. The first backup is a full backup;
 * after an overflow, a hash backup. Both scan the live device while the log, restarted just before
 * the scan, records every write; the scanned image is the dirty snapshot |g,g+1| and the log of the
 * scan's duration, shipped as |g|-->|g+1|, makes it clean.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

import { StateError } from '../../../common/errors.js';
import { scanVolume } from '../archive/addon.js';
import { diffName } from './diff-timestamp.js';
import { tempFor } from '../archive/files.js';
import { initArchiveVolume } from '../archive/lifecycle.js';
import { withLock } from '../archive/lock.js';
import { targetFor, type ArchiveTarget } from '../storage/archive-target.js';
import { nowSeconds, readCapture, readCaptureOrNull, writeCapture, type CaptureState } from './capture-state.js';
import { readWdevConfig } from './config.js';
import { WdevOverflowError } from './errors.js';
import { resetLog, syncLog } from './log-position.js';
import { wdevPaths, type WdevPaths } from './paths.js';
import { isServing } from './serve.js';
import { shipQueue, type ShippedDiff } from './ship.js';

const BULK = 256 << 10;

export interface CaptureOptions {
  /** The data directory holding the archive (this host's by default). */
  archiveDataDir?: string;
  /** The archive, when it is not a data directory here (a remote archive over the wire). */
  archive?: ArchiveTarget;
  compression?: string;
}

export interface BackupResult {
  kind: 'full' | 'hash';
  /** The snapshot the scan produced (dirty) and the clean gid the log then completes. */
  scanned: { b: number; e: number };
  gid: number;
  bytesScanned: number;
  changedBytes: number;
  shipped: ShippedDiff[];
}

export interface SnapshotResult {
  gid: number;
  lsid: number;
  shipped: ShippedDiff[];
}

function lock<T>(p: WdevPaths, vol: string, operation: string, fn: () => Promise<T>): Promise<T> {
  return withLock(join(p.dir, 'capture.lock'), fn, { volume: vol, operation, timeoutMs: 600_000 });
}

/**
 * Full backup when the archive has no base yet, hash backup otherwise (after an overflow, or to
 * re-sync). Needs the wdev served: the scan reads the live file.
 */
export async function backupWdev(dataDir: string, vol: string, opts: CaptureOptions = {}): Promise<BackupResult> {
  const p = wdevPaths(dataDir, vol);
  const cfg = await readWdevConfig(p.config);
  if (!(await isServing(p))) throw new StateError(`volume ${vol}: not served; run "walbctl wdev serve ${vol}" first`);
  return lock(p, vol, 'backup', async () => {
    const prior = await readCaptureOrNull(p.capture);
    const ref = opts.archive?.ref ?? opts.archiveDataDir ?? prior?.archiveDataDir ?? dataDir;
    const archive = targetFor(ref, opts.archive);
    if (!archive) throw new StateError(`volume ${vol}: its archive is on ${ref.slice(5)}; back it up with that archive`);
    const state = await archive.state(vol);
    if (state === 'Clear') {
      if (ref.startsWith('wire:')) throw new StateError(`volume ${vol}: the archive host ${ref.slice(5)} has no archive of it yet (Clear)`);
      await initArchiveVolume(ref, vol);
    }
    const full = state === 'Clear' || state === 'SyncReady';
    // The reset frees the log unshipped: the batches still queued are never sent (this backup covers
    // them). They leave the queue first, so that no shipping pass takes the freed log for their
    // acknowledgement (capture-state.ts, settleAcknowledged) should this backup not finish.
    if (prior && prior.queue.length > 0) await writeCapture(p.capture, { ...prior, queue: [] });
    const start = await resetLog(p, vol); // the log restarts here; the ddev holds everything before
    let g = (prior?.latestGid ?? -1) + 1;
    let bytesScanned = 0;
    let changedBytes = 0;
    const source = { uuid: cfg.uuid, devicePath: p.file, sizeBytes: cfg.sizeBytes, bulkSize: BULK };
    if (full) {
      const r = await archive.fullBackup(vol, source, { snap: { b: g, e: g + 1 }, timestamp: new Date().toISOString(), id: randomBytes(8).toString('hex') });
      bytesScanned = r.bytesScanned;
      changedBytes = r.dataBytes;
    } else {
      await mkdir(p.work, { recursive: true });
      const archIndex = tempFor(join(p.work, 'archive.index'));
      const diffTmp = tempFor(join(p.work, 'hash.wdiff'));
      try {
        const from = await archive.latestIndex(vol, source, { indexOut: archIndex });
        g = Math.max(g, from.e + 1);
        const r = await scanVolume({
          source: p.file, sizeBytes: cfg.sizeBytes, bulkSize: BULK, uuid: cfg.uuid, indexIn: archIndex, diffOut: diffTmp, gidB: g, gidE: g + 1,
          ...(opts.compression ? { compression: opts.compression } : {}),
        });
        bytesScanned = r.bytesScanned;
        changedBytes = r.changedBytes;
        await archive.addDiff(vol, { source: diffTmp, diff: diffName({ b: from, e: { b: g, e: g + 1 }, mergeable: false, compared: true }), explicitEnd: false });
      } finally {
        await rm(archIndex, { force: true });
        await rm(diffTmp, { force: true });
      }
    }
    const end = await syncLog(p, vol);
    const s: CaptureState = {
      formatVersion: 1,
      archiveDataDir: ref,
      shipped: { snap: { b: g, e: g }, lsid: start.latestLsid, explicit: false },
      queue: [{ gid: g + 1, lsid: end.permanentLsid, timestamp: nowSeconds(), explicit: true }],
      latestGid: g + 1,
      lastExplicitAt: nowSeconds(),
    };
    await writeCapture(p.capture, s);
    const shipped = await shipQueue(p, vol, s, opts);
    return { kind: full ? 'full' : 'hash', scanned: { b: g, e: g + 1 }, gid: g + 1, bytesScanned, changedBytes, shipped };
  });
}

export interface SnapshotOptions extends CaptureOptions {
  /** Explicit (kept by merges, the default) or implicit. */
  explicit?: boolean;
  /** WalB's implicit snapshots: take one only when there are new logs since the last snapshot. */
  onlyIfNewLogs?: boolean;
  /** False when the log goes to proxies (ship-log.ts): the snapshot is only recorded here. */
  ship?: boolean;
}

/**
 * Takes a snapshot at the permanent lsid and ships every snapshot not yet archived. With
 * `onlyIfNewLogs` and nothing written since the last snapshot, resolves to null and takes none.
 */
export async function snapshotWdev(dataDir: string, vol: string, opts: SnapshotOptions = {}): Promise<SnapshotResult | null> {
  const p = wdevPaths(dataDir, vol);
  await readWdevConfig(p.config);
  return lock(p, vol, 'snapshot', async () => {
    const s = await readCapture(p.capture, vol);
    const st = await syncLog(p, vol);
    if (st.overflow) throw new WdevOverflowError(vol);
    const lastLsid = s.queue.length > 0 ? s.queue[s.queue.length - 1]!.lsid : s.shipped.lsid;
    if (opts.onlyIfNewLogs && st.permanentLsid === lastLsid) return null;
    const gid = s.latestGid + 1;
    s.queue.push({ gid, lsid: st.permanentLsid, timestamp: nowSeconds(), explicit: opts.explicit ?? true });
    s.latestGid = gid;
    if (opts.explicit ?? true) s.lastExplicitAt = nowSeconds();
    await writeCapture(p.capture, s);
    const shipped = opts.ship === false ? [] : await shipQueue(p, vol, s, opts);
    return { gid, lsid: st.permanentLsid, shipped };
  });
}

/** Ships snapshots taken but not archived yet (after a crash mid-snapshot). */
export async function shipWdev(dataDir: string, vol: string, opts: CaptureOptions = {}): Promise<ShippedDiff[]> {
  const p = wdevPaths(dataDir, vol);
  return lock(p, vol, 'ship', async () => shipQueue(p, vol, await readCapture(p.capture, vol), opts));
}

/**
 * A base for one more archive of a wdev whose log ships continuously (through proxies), without
 * restarting the log: under the capture lock (no batch is cut meanwhile) gid g marks the permanent
 * lsid before the scan, the device is scanned into `archive` as the dirty image <g, g+1>, and gid g+1
 * marks the log's end after the scan — both batch boundaries the shipping loop carries. The archive
 * drops the diffs that end at or before g (too old) and its image is clean once the diff to g+1 lands,
 * as WalB's full backup is while writes go on.
 */
export async function baseWdevFor(dataDir: string, vol: string, archive: ArchiveTarget): Promise<{ gid: number; bytesScanned: number; dataBytes: number }> {
  const p = wdevPaths(dataDir, vol);
  const cfg = await readWdevConfig(p.config);
  if (!(await isServing(p))) throw new StateError(`volume ${vol}: not served; run "walbctl wdev serve ${vol}" first`);
  return lock(p, vol, 'base', async () => {
    const s = await readCapture(p.capture, vol);
    const start = await syncLog(p, vol);
    if (start.overflow) throw new WdevOverflowError(vol);
    const g = s.latestGid + 1;
    const source = { uuid: cfg.uuid, devicePath: p.file, sizeBytes: cfg.sizeBytes, bulkSize: BULK };
    const r = await archive.fullBackup(vol, source, { snap: { b: g, e: g + 1 }, timestamp: new Date().toISOString(), id: randomBytes(8).toString('hex') });
    const end = await syncLog(p, vol);
    if (end.overflow) throw new WdevOverflowError(vol);
    s.queue.push({ gid: g, lsid: start.permanentLsid, timestamp: nowSeconds(), explicit: false });
    s.queue.push({ gid: g + 1, lsid: end.permanentLsid, timestamp: nowSeconds(), explicit: true });
    s.latestGid = g + 1;
    s.lastExplicitAt = nowSeconds();
    await writeCapture(p.capture, s);
    return { gid: g + 1, bytesScanned: r.bytesScanned, dataBytes: r.dataBytes };
  });
}
