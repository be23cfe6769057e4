/**
 * The storage side's public API in `scan` capture (docs/archive.md): init, full and hash backup,
 * snapshots by hash compare, lifecycle, and `observeStorage` for the reconciler.
 */
export { initVolume, stopVolume, startVolume, resetVolume, clearVolume, type InitVolumeOptions } from './lifecycle.js';
export { fullBackup, hashBackup, type BackupOptions, type FullBackupResult, type HashBackupResult } from './backup.js';
export { snapshot, type SnapshotOptions, type SnapshotResult } from './snapshot.js';
export { storageState, storageMeta, observeStorage, listStorageVolumes } from './query.js';
export { storagePaths, type StoragePaths } from './layout.js';
export type { StorageMeta } from './meta.js';
