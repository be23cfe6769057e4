/**
 * The `native` driver: the embedded data path — storage in `scan` capture (native/lib/storage) and a
 * directory archive (native/lib/archive) — in the host's data directory.
 */
import { listArchiveVolumes } from '../../../native/lib/archive/index.js';
import { listStorageVolumes } from '../../../native/lib/storage/index.js';
import type { Driver } from '../driver.js';
import { nativeArchive } from './archive.js';
import { nativeStorage } from './storage.js';

export function createNativeDriver(): Driver {
  return {
    name: 'native',
    storage: nativeStorage(),
    archive: nativeArchive(),
    async listVolumes(host) {
      const [s, a] = await Promise.all([listStorageVolumes(host.dataDir), listArchiveVolumes(host.dataDir)]);
      return [...new Set([...s, ...a])].sort();
    },
  };
}
