/**
 * Where a storage volume's state lives: `<dataDir>/storage/<vol>/` holds `meta.json`, the hash
 * index of the last snapshot (`hash.index`, scan capture) and the volume's `lock`.
 */
import { join } from 'node:path';

import { memoPaths } from '../../../common/memo-paths.js';
import { checkVolumeName } from '../archive/layout.js';

export interface StoragePaths {
  root: string;
  dir: string;
  meta: string;
  index: string;
  lock: string;
}

/** The folder that holds every storage volume of a data directory. */
export function storageRoot(dataDir: string): string {
  return join(dataDir, 'storage');
}

/** The paths of a storage volume (memoised and frozen). */
export const storagePaths = memoPaths(buildStoragePaths);

function buildStoragePaths(dataDir: string, vol: string): StoragePaths {
  checkVolumeName(vol);
  const root = storageRoot(dataDir);
  const dir = join(root, vol);
  return { root, dir, meta: join(dir, 'meta.json'), index: join(dir, 'hash.index'), lock: join(dir, 'lock') };
}
