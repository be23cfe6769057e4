/**
 * The common tail of a scan snapshot and a hash backup: scan the volume against a hash index,
 * writing the changed bulks as a sorted wdiff and the new index (both fsynced temp files); record
 * them as `pending` (the commit point); hand the diff to the archive; install the index.
 */
import { rm } from 'node:fs/promises';

import { formatDiffName, type DiffName } from '../archive/diff-name.js';
import { scanVolume, type ScanVolumeResult } from '../archive/addon.js';
import { tempFor } from '../archive/files.js';
import { phaseReporter, type OnProgress } from '../archive/progress.js';
import { mapAddonError } from '../archive/wdiff-errors.js';
import { recoverPending } from './pending.js';
import type { ArchiveTarget } from './archive-target.js';
import type { StorageOp } from './volume.js';

export interface ScanDiffOptions {
  op: 'snapshot' | 'hash-backup';
  gid: number;
  indexIn: string;
  diff: Omit<DiffName, 'timestamp'>;
  explicit: boolean;
  archive: ArchiveTarget;
  compression?: string;
  onProgress?: OnProgress;
}

export async function scanDiffAndSend(o: StorageOp, opts: ScanDiffOptions): Promise<ScanVolumeResult & { file: string; scanSeconds: number }> {
  const diffTmp = tempFor(`${o.paths.dir}/diff-${opts.gid}.wdiff`);
  const indexTmp = tempFor(o.paths.index);
  let scan: ScanVolumeResult;
  const t0 = process.hrtime.bigint();
  try {
    scan = await scanVolume(
      {
        source: o.meta.devicePath,
        sizeBytes: o.meta.sizeBytes,
        bulkSize: o.meta.bulkSize,
        uuid: o.meta.uuid,
        indexIn: opts.indexIn,
        diffOut: diffTmp,
        indexOut: indexTmp,
        gidB: opts.gid,
        gidE: opts.gid,
        ...(opts.compression ? { compression: opts.compression } : {}),
      },
      phaseReporter(opts.onProgress, 'scan'),
    );
  } catch (error) {
    await rm(diffTmp, { force: true });
    await rm(indexTmp, { force: true });
    throw mapAddonError(error);
  }
  const scanSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const diff: DiffName = { ...opts.diff, timestamp: new Date().toISOString() };
  o.meta.pending = { op: opts.op, gid: opts.gid, diff, diffTmp, indexTmp, explicit: opts.explicit, archiveDataDir: opts.archive.ref };
  await o.save();
  await recoverPending(o, opts);
  return { ...scan, file: formatDiffName(diff), scanSeconds };
}
