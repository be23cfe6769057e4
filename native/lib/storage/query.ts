/** Read-only views of a storage volume: its state and `observeStorage` for the reconciler. */
import { readdir, stat } from 'node:fs/promises';

import type { ObservedStorage, StorageState } from '../../../common/observed.js';
import { checkHashIndex } from '../archive/addon.js';
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
  const index = await indexHealth(paths.index);
  // In scan capture the "log" is the hash index: lost or damaged, only a hash backup recovers.
  const overflow = (meta.state === 'Target' || meta.state === 'Stopped') && index.reason !== null;
  return {
    state: meta.state,
    capture: meta.capture,
    uuid: meta.uuid,
    devicePath: meta.devicePath,
    sizeBytes: meta.sizeBytes,
    overflow,
    ...(overflow ? { overflowReason: index.reason } : {}),
    latestGid: meta.latestGid,
  };
}

/**
 * Whether the storage's hash index can serve the next snapshot: `hash-index-lost` when the file is
 * not there, `hash-index-damaged` when it fails a check (the detail names the file, byte and rule),
 * as the docs have always said: a damaged index counts as overflow.
 */
export async function indexHealth(path: string): Promise<{ reason: 'hash-index-lost' | 'hash-index-damaged' | null; detail: string | null }> {
  if (!(await stat(path).then(() => true, () => false))) return { reason: 'hash-index-lost', detail: `${path} is missing` };
  try {
    await checkHashIndex(path);
    return { reason: null, detail: null };
  } catch (error) {
    return { reason: 'hash-index-damaged', detail: (error as Error).message };
  }
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
