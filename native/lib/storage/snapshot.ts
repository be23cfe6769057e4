/**
 * snapshot VOL (scan capture): hash the volume in bulks, compare with the index of the previous
 * snapshot, send the changed bulks to the archive as a sorted wdiff `|prev|-->|gid|`, and keep the
 * new index. The diff is mergeable unless the previous snapshot was explicit.
 */
import { StateError } from '../../../common/errors.js';
import { since, type OnProgress } from '../archive/progress.js';
import { recoverPending } from './pending.js';
import { scanDiffAndSend } from './scan-diff.js';
import { localArchive, type ArchiveTarget } from './archive-target.js';
import { withStorage } from './volume.js';
import { stat } from 'node:fs/promises';

export interface SnapshotOptions {
  /** The data directory of the host holding the archive (this host's by default). */
  archiveDataDir?: string;
  /** The archive, when it is not a data directory here (a remote archive over the wire). */
  archive?: ArchiveTarget;
  /** An explicit snapshot is kept by merges (default true); an implicit one may be merged away. */
  explicit?: boolean;
  compression?: string;
  onProgress?: OnProgress;
}

export interface SnapshotResult {
  gid: number;
  /** The diff's file name in the archive. */
  file: string;
  bytesScanned: number;
  changedBytes: number;
  diffBytes: number;
  /** Bytes of the volume actually read (holes are skipped). */
  bytesRead: number;
  /** Time of the scan itself (hash, compare, write the diff and index), within `seconds`. */
  scanSeconds: number;
  seconds: number;
  /** Set when an interrupted snapshot or backup was finished first. */
  finished: string | null;
}

export async function snapshot(dataDir: string, vol: string, opts: SnapshotOptions = {}): Promise<SnapshotResult> {
  const t0 = process.hrtime.bigint();
  return withStorage(dataDir, vol, {
    op: 'snapshot',
    states: ['Target'],
    run: async (o) => {
      const archive = opts.archive ?? localArchive(opts.archiveDataDir ?? dataDir);
      const finished = await recoverPending(o, { ...opts, archive });
      const prev = o.meta.indexSnap;
      const indexOk = await stat(o.paths.index).then(
        () => true,
        () => false,
      );
      if (!prev || o.meta.latestGid === null || !indexOk) {
        throw new StateError(`${vol}: the hash index of the previous snapshot is lost (overflow): run a hash backup`);
      }
      const gid = o.meta.latestGid + 1;
      const explicit = opts.explicit ?? true;
      const r = await scanDiffAndSend(o, {
        op: 'snapshot',
        gid,
        indexIn: o.paths.index,
        diff: { b: prev, e: { b: gid, e: gid }, mergeable: !o.meta.indexExplicit, compared: false },
        explicit,
        archive,
        ...(opts.compression ? { compression: opts.compression } : {}),
        ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      }).catch((error: unknown) => {
        // A damaged index is as good as lost: only a hash backup recovers.
        if (error instanceof Error && /\[hash-index-[a-z-]+\]|hash index/.test(error.message)) {
          throw new StateError(`${vol}: ${error.message}; run a hash backup`, { cause: error });
        }
        throw error;
      });
      return { gid, file: r.file, bytesScanned: r.bytesScanned, changedBytes: r.changedBytes, diffBytes: r.diffBytes, bytesRead: r.bytesRead, scanSeconds: r.scanSeconds, seconds: since(t0), finished };
    },
  });
}
