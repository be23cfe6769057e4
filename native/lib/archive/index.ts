/**
 * The archive's public API (docs/archive.md): a directory per host data dir, a folder per volume,
 * a base image plus WalB-named wdiffs, WalB's states and action exclusion, crash-safe merge, apply
 * and restore (design.md beside this file).
 */
export { initArchiveVolume, stopArchive, startArchive, resetArchive, clearArchive, type InitArchiveOptions } from './lifecycle.js';
export { receiveFullBackup, addDiff, type ReceiveFullOptions, type AddDiffOptions, type AddDiffResult } from './receive.js';
export { restore, deleteRestored, type RestoreOptions, type RestoreResult } from './restore.js';
export { merge, pickMergeRange, type MergeOptions, type MergeResult } from './merge.js';
export { applyUpTo, type ApplyResult } from './apply.js';
export { verifyArchive, type VerifyReport } from './verify.js';
export { DiffChecker, type DiffCheckOptions, type DiffCheckResult } from './diff-check.js';
export { setSnapshotExplicit } from './set-snapshot.js';
export { ensureRecovered } from './recover.js';
export {
  archiveState,
  archiveMeta,
  listDiffs,
  restorable,
  restoredImages,
  observeArchive,
  listArchiveVolumes,
  type RestorableSnapshot,
} from './query.js';
export { readReplicaCursors, updateReplicaCursor, confirmReplica, recordReplicaError, releaseReplica, REPLICAS_FILE, type Confirmation } from './replicas.js';
export { latestImage, type LatestImage } from './latest-image.js';
export { archivePaths, archiveRoot, defaultRestorePath, checkVolumeName, setAsideDir, type ArchivePaths } from './layout.js';
export { formatDiffName, parseDiffName, type DiffName } from './diff-name.js';
export { formatSnap, formatBase, canApply, canMerge, mergeRefusal, snap, isClean, type GidSnap, type DiffSpan } from './gid.js';
export { WrongStateError, BusyError, GidError, RangeRefusedError, ArchiveCorruptError } from './errors.js';
export { NoSpaceError } from './wdiff-errors.js';
export type { ArchiveMeta } from './meta.js';
export type { OnProgress, ProgressEvent } from './progress.js';
