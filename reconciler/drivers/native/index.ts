/**
 * The `native` driver: the embedded data path — storage in `scan` capture (native/lib/storage) and a
 * directory archive (native/lib/archive) — in the host's data directory.
 */
import { readdir } from 'node:fs/promises';

import { archivePaths } from '../../../native/lib/archive/index.js';
import { storagePaths } from '../../../native/lib/storage/index.js';
import type { Driver } from '../driver.js';
import { nativeArchive } from './archive.js';
import { nativeStorage } from './storage.js';

/** Folders of a role's root (`<dataDir>/storage`, `<dataDir>/archive`): one per volume. */
async function volumeFolders(root: string): Promise<string[]> {
  try {
    return (await readdir(root, { withFileTypes: true })).filter((d) => d.isDirectory() && !d.name.startsWith('.')).map((d) => d.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

export function createNativeDriver(): Driver {
  return {
    name: 'native',
    storage: nativeStorage(),
    archive: nativeArchive(),
    async listVolumes(host) {
      // The roots come from the data path's layout (any valid volume name gives them).
      const [s, a] = await Promise.all([volumeFolders(storagePaths(host.dataDir, 'v').root), volumeFolders(archivePaths(host.dataDir, 'v').root)]);
      return [...new Set([...s, ...a])].sort();
    },
  };
}
