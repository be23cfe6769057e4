/**
 * Where a storage volume's backups go: the archive on this host (a data directory) or one on
 * another host (the wire's remote archive, native/lib/wire/remote-archive.ts). The storage's
 * operations (full backup, hash backup, snapshot) and their crash recovery talk only to this
 * interface, so the same code serves both.
 */
import type { ArchiveState, GidSnap } from '../../../common/observed.js';
import { scanVolume } from '../archive/addon.js';
import { SUMS_BULK } from '../archive/base-sums.js';
import type { DiffName } from '../archive/diff-name.js';
import { newHashSeed } from '../archive/hash-seed.js';
import { latestImage } from '../archive/latest-image.js';
import { phaseReporter, type OnProgress } from '../archive/progress.js';
import { archiveMeta, archiveState } from '../archive/query.js';
import { addDiff, receiveFullBackup } from '../archive/receive.js';

/** What the archive needs to know of the volume whose data it receives. */
export interface VolumeSource {
  /** Device uuid, 32 hex digits. */
  uuid: string;
  /** The device or file to read. */
  devicePath: string;
  sizeBytes: number;
  bulkSize: number;
}

export interface FullBackupTransfer {
  snap: GidSnap;
  id: string;
  timestamp: string;
  /** Where the storage's new hash index (of what the base holds) is written, when it keeps one. */
  indexOut?: string;
  onProgress?: OnProgress;
}

export interface ArchiveTarget {
  /** What a pending entry records: a data directory, or `wire:<host>` for a remote archive. */
  readonly ref: string;
  /** The archive's state (Clear when it has no such volume). */
  state(vol: string): Promise<ArchiveState>;
  /** The id of the full backup the archive holds, or null. */
  fullBackupId(vol: string): Promise<string | null>;
  /** Installs the volume's image as the archive's base `|snap|` and writes the storage's index. */
  fullBackup(vol: string, meta: VolumeSource, t: FullBackupTransfer): Promise<{ bytesScanned: number; bytesRead: number; dataBytes: number }>;
  /** Adds a wdiff at the end of the chain (idempotent), consuming `source`; resolves to its file name there. */
  addDiff(vol: string, o: { source: string; diff: DiffName; explicitEnd: boolean }): Promise<string>;
  /** Writes the hash index of the archive's newest image to `indexOut`, hashed with a seed new to this call; returns that image's snapshot. */
  latestIndex(vol: string, meta: VolumeSource, o: { indexOut: string; onProgress?: OnProgress }): Promise<GidSnap>;
}

export function localArchive(dataDir: string): ArchiveTarget {
  return {
    ref: dataDir,
    state: (vol) => archiveState(dataDir, vol),
    fullBackupId: async (vol) => (await archiveMeta(dataDir, vol).catch(() => null))?.fullBackupId ?? null,
    fullBackup: (vol, meta, t) =>
      receiveFullBackup(dataDir, vol, {
        deviceUuid: meta.uuid,
        sizeBytes: meta.sizeBytes,
        snap: t.snap,
        id: t.id,
        timestamp: t.timestamp,
        produce: (tmp) =>
          scanVolume(
            { source: meta.devicePath, sizeBytes: meta.sizeBytes, bulkSize: meta.bulkSize, uuid: meta.uuid, imageOut: tmp, ...(t.indexOut ? { indexOut: t.indexOut } : {}), gidB: t.snap.b, gidE: t.snap.e, sumsBulkSize: SUMS_BULK },
            phaseReporter(t.onProgress, 'scan'),
          ),
        // The scan hashed the bytes it wrote into the image: base.sums without reading it again.
        sumsOf: (r) => (r.sums ? { bulkSize: SUMS_BULK, hashes: r.sums } : null),
      }),
    addDiff: async (vol, o) => (await addDiff(dataDir, vol, { ...o, move: true })).file,
    latestIndex: (vol, meta, o) =>
      latestImage(dataDir, vol, {
        ...(o.onProgress ? { onProgress: o.onProgress } : {}),
        use: async (img) => {
          await scanVolume(
            { source: img.path, sizeBytes: meta.sizeBytes, bulkSize: meta.bulkSize, uuid: meta.uuid, indexOut: o.indexOut, gidB: img.snap.b, gidE: img.snap.e, seed: newHashSeed() },
            phaseReporter(o.onProgress, 'hash'),
          );
          return img.snap;
        },
      }),
  };
}

/**
 * The target a pending entry names: `given` when it is that one, the local archive for a data
 * directory, null for a remote archive the caller did not give (the entry waits for an operation
 * that has it).
 */
export function targetFor(ref: string, given: ArchiveTarget | undefined): ArchiveTarget | null {
  if (given && given.ref === ref) return given;
  return ref.startsWith('wire:') ? null : localArchive(ref);
}
