/**
 * Full backup and hash backup (WalB's full-bkp and hash-bkp) in scan capture.
 * - Full: the volume is streamed into the archive's base (all-zero bulks and holes cost nothing);
 *   the base is the dirty snapshot `|g,g+1|`; the storage keeps the hash index of what it sent.
 * - Hash: the archive's newest image is hashed bulk by bulk; the volume is scanned against those
 *   hashes and the bulks that differ go to the archive as a compared diff.
 * Both leave the storage in Target (through Stopped, as WalB's storage does).
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';

import { formatDiffName } from '../archive/diff-name.js';
import { tempFor } from '../archive/files.js';
import { since, type OnProgress } from '../archive/progress.js';
import { WrongStateError } from '../archive/errors.js';
import { localArchive, type ArchiveTarget } from './archive-target.js';
import { recoverPending } from './pending.js';
import { scanDiffAndSend } from './scan-diff.js';
import { withStorage } from './volume.js';

export interface BackupOptions {
  /** The data directory of the host holding the archive (this host's by default). */
  archiveDataDir?: string;
  /** The archive, when it is not a data directory here (a remote archive over the wire). */
  archive?: ArchiveTarget;
  compression?: string;
  /** The snapshot at the end of a hash backup is explicit (default true). */
  explicit?: boolean;
  onProgress?: OnProgress;
}

export interface FullBackupResult {
  /** The base's snapshot `|b,e|`. */
  snap: { b: number; e: number };
  bytesScanned: number;
  /** Bytes read from the volume (holes are not read) and non-zero bytes written to the base. */
  bytesRead: number;
  dataBytes: number;
  seconds: number;
  finished: string | null;
}

export async function fullBackup(dataDir: string, vol: string, opts: BackupOptions = {}): Promise<FullBackupResult> {
  const t0 = process.hrtime.bigint();
  const archive = opts.archive ?? localArchive(opts.archiveDataDir ?? dataDir);
  return withStorage(dataDir, vol, {
    op: 'full-backup',
    states: ['SyncReady', 'Target', 'Stopped'],
    run: async (o) => {
      const wasSyncReady = o.meta.state === 'SyncReady';
      // A full backup that died before it landed keeps its id: a remote archive resumes it.
      const prior = o.meta.pending?.op === 'full-backup' ? o.meta.pending.id : null;
      const finished = await recoverPending(o, { ...opts, archive });
      if (o.meta.state !== 'SyncReady') {
        // A full backup that landed and was not followed by a snapshot is done: a re-run after a
        // crash succeeds without doing it again. Anything else is the wrong state.
        const done = o.meta.fullBackupId && (await archive.fullBackupId(vol).catch(() => null)) === o.meta.fullBackupId && o.meta.latestGid === o.meta.indexSnap?.e;
        if (!wasSyncReady && !done) throw new WrongStateError(vol, 'full-backup', o.meta.state, ['SyncReady']);
        return { snap: o.meta.indexSnap!, bytesScanned: 0, bytesRead: 0, dataBytes: 0, seconds: since(t0), finished: finished ?? 'full backup (already complete)' };
      }
      const first = o.meta.latestGid === null ? 0 : o.meta.latestGid + 1;
      const snap = { b: first, e: first + 1 };
      const id = prior ?? randomBytes(8).toString('hex');
      const indexTmp = tempFor(o.paths.index);
      o.meta.pending = { op: 'full-backup', id, snap, indexTmp, archiveDataDir: archive.ref };
      await o.save();
      let scan: Awaited<ReturnType<ArchiveTarget['fullBackup']>>;
      try {
        scan = await archive.fullBackup(vol, o.meta, { snap, id, timestamp: new Date().toISOString(), indexOut: indexTmp, ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) });
      } catch (error) {
        await rm(indexTmp, { force: true });
        // A remote archive keeps its partial image: the entry (and so the id) stays for the resume.
        if (!archive.ref.startsWith('wire:')) {
          o.meta.pending = null;
          await o.save();
        }
        throw error;
      }
      await recoverPending(o, { ...opts, archive });
      return { snap, bytesScanned: scan.bytesScanned, bytesRead: scan.bytesRead, dataBytes: scan.dataBytes, seconds: since(t0), finished };
    },
  });
}

export interface HashBackupResult {
  gid: number;
  file: string;
  bytesScanned: number;
  changedBytes: number;
  diffBytes: number;
  seconds: number;
  finished: string | null;
}

export async function hashBackup(dataDir: string, vol: string, opts: BackupOptions = {}): Promise<HashBackupResult> {
  const t0 = process.hrtime.bigint();
  const archive = opts.archive ?? localArchive(opts.archiveDataDir ?? dataDir);
  return withStorage(dataDir, vol, {
    op: 'hash-backup',
    states: ['SyncReady', 'Stopped', 'Target'],
    run: async (o) => {
      const was = o.meta.pending;
      const finished = await recoverPending(o, { ...opts, archive });
      // A hash backup killed after its scan is finished by the re-run (its diff sent, resuming on a
      // remote archive), not done a second time.
      if (finished && was && was.op === 'hash-backup') {
        return { gid: was.gid, file: formatDiffName(was.diff), bytesScanned: 0, changedBytes: 0, diffBytes: 0, seconds: since(t0), finished };
      }
      const archIndex = tempFor(`${o.paths.dir}/archive.index`);
      try {
        const from = await archive.latestIndex(vol, o.meta, { indexOut: archIndex, ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) });
        const gid = Math.max(o.meta.latestGid ?? 0, from.e) + 1;
        const explicit = opts.explicit ?? true;
        const r = await scanDiffAndSend(o, {
          op: 'hash-backup',
          gid,
          indexIn: archIndex,
          diff: { b: from, e: { b: gid, e: gid }, mergeable: false, compared: true },
          explicit,
          archive,
          ...(opts.compression ? { compression: opts.compression } : {}),
          ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
        });
        return { gid, file: r.file, bytesScanned: r.bytesScanned, changedBytes: r.changedBytes, diffBytes: r.diffBytes, seconds: since(t0), finished };
      } finally {
        await rm(archIndex, { force: true });
      }
    },
  });
}
