/** Read-only views of a storage volume: its state and `observeStorage` for the reconciler. */
import { readdir, stat } from 'node:fs/promises';

import type { ObservedStorage, StorageState } from '../../../common/observed.js';
import { isVolumeName } from '../archive/layout.js';
import { storagePaths, storageRoot } from './layout.js';
import type { StorageMeta } from './meta.js';
import { readStorage } from './volume.js';

export async function storageState(dataDir: string, vol: string): Promise<StorageState> {
  return (await readStorage(storagePaths(dataDir, vol)))?.state ?? 'Clear';
}

export async function storageMeta(dataDir: string, vol: string): Promise<StorageMeta | null> {
  return readStorage(storagePaths(dataDir, vol));
}

/** What the reconciler's native driver reports; undefined when the volume was never initialised. */
export async function observeStorage(dataDir: string, vol: string): Promise<ObservedStorage | undefined> {
  const paths = storagePaths(dataDir, vol);
  const meta = await readStorage(paths);
  if (!meta) return undefined;
  const indexOk = await stat(paths.index).then(
    () => true,
    () => false,
  );
  return {
    state: meta.state,
    capture: meta.capture,
    uuid: meta.uuid,
    devicePath: meta.devicePath,
    sizeBytes: meta.sizeBytes,
    // In scan capture the "log" is the hash index: without it only a hash backup recovers.
    overflow: (meta.state === 'Target' || meta.state === 'Stopped') && !indexOk,
    latestGid: meta.latestGid,
  };
}

export async function listStorageVolumes(dataDir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(storageRoot(dataDir), { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return entries.filter((d) => d.isDirectory() && isVolumeName(d.name)).map((d) => d.name).sort();
}
