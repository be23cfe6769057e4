/**
 * Storage lifecycle (WalB's storage state machine, `scan` capture): init (Clear → SyncReady), stop
 * (Target → Stopped), start (Stopped → Target), reset (Stopped → SyncReady), clear (SyncReady →
 * Clear). The volume's uuid is made at init.
 */
import { mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

import { InputError } from '../../../common/errors.js';
import { WrongStateError } from '../archive/errors.js';
import { fsyncDir } from '../archive/files.js';
import { newUuid } from '../archive/uuid.js';
import { storagePaths } from './layout.js';
import { writeStorageMeta, type StorageMeta } from './meta.js';
import { recoverPending } from './pending.js';
import { readStorage, withStorage } from './volume.js';

export interface InitVolumeOptions {
  /** The volume: an image file or a block device. A missing file is created (sparse) when sizeBytes is given. */
  devicePath: string;
  /** Bytes; the device's size by default. A multiple of 512. */
  sizeBytes?: number;
  /** Bytes hashed per bulk in scan capture (default 64 KiB; a multiple of 512, at most 1 MiB). */
  bulkSize?: number;
  uuid?: string;
}

async function deviceSize(path: string): Promise<number> {
  const h = await open(path, 'r');
  try {
    const st = await h.stat();
    if (st.isBlockDevice()) {
      // A block device's size, in 512-byte sectors, from /sys (Linux dev_t encoding).
      const rdev = BigInt(st.rdev);
      const major = Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn));
      const minor = Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn));
      const sectors = Number((await readFile(`/sys/dev/block/${major}:${minor}/size`, 'utf8')).trim());
      return sectors * 512;
    }
    return st.size;
  } finally {
    await h.close();
  }
}

export async function initVolume(dataDir: string, vol: string, opts: InitVolumeOptions): Promise<StorageMeta> {
  const paths = storagePaths(dataDir, vol);
  const existing = await readStorage(paths);
  if (existing) throw new WrongStateError(vol, 'init', existing.state, ['Clear']);
  const bulkSize = opts.bulkSize ?? 65536;
  if (bulkSize <= 0 || bulkSize % 512 !== 0 || bulkSize > 1 << 20) throw new InputError(`bulk size ${bulkSize} is not a multiple of 512 up to 1 MiB`);
  const present = await stat(opts.devicePath).catch(() => null);
  if (!present) {
    if (opts.sizeBytes === undefined) throw new InputError('the volume does not exist; give its size to create it', opts.devicePath);
    await mkdir(dirname(opts.devicePath), { recursive: true });
    const h = await open(opts.devicePath, 'wx', 0o600);
    await h.truncate(opts.sizeBytes);
    await h.close();
  }
  const actual = await deviceSize(opts.devicePath);
  const sizeBytes = opts.sizeBytes ?? actual;
  if (sizeBytes % 512 !== 0) throw new InputError(`size ${sizeBytes} is not a multiple of 512`, opts.devicePath);
  if (actual < sizeBytes) throw new InputError(`the volume has ${actual} bytes, fewer than the ${sizeBytes} declared`, opts.devicePath);
  await mkdir(paths.dir, { recursive: true });
  const meta: StorageMeta = {
    formatVersion: 1,
    volume: vol,
    state: 'SyncReady',
    capture: 'scan',
    uuid: opts.uuid ?? newUuid(),
    devicePath: opts.devicePath,
    sizeBytes,
    bulkSize,
    latestGid: null,
    indexSnap: null,
    indexExplicit: false,
    pending: null,
    createdAt: new Date().toISOString(),
  };
  await writeStorageMeta(paths.meta, meta);
  await fsyncDir(paths.root);
  return meta;
}

function move(op: string, from: StorageMeta['state'][], to: StorageMeta['state']) {
  return (dataDir: string, vol: string): Promise<void> =>
    withStorage(dataDir, vol, {
      op,
      states: from,
      run: async (o) => {
        await recoverPending(o, {});
        o.meta.state = to;
        if (to === 'SyncReady') {
          o.meta.indexSnap = null;
          await rm(o.paths.index, { force: true });
        }
        await o.save();
      },
    });
}

export const stopVolume = move('stop', ['Target'], 'Stopped');
export const startVolume = move('start', ['Stopped'], 'Target');
/** Stopped → SyncReady: the hash index is dropped; a full or hash backup follows. */
export const resetVolume = move('reset', ['Stopped'], 'SyncReady');

/** SyncReady → Clear: removes the volume's storage state (never the volume's data). */
export async function clearVolume(dataDir: string, vol: string): Promise<void> {
  await withStorage(dataDir, vol, {
    op: 'clear',
    states: ['SyncReady'],
    run: async (o) => {
      await rm(o.paths.meta, { force: true });
      await fsyncDir(o.paths.dir);
      await rm(o.paths.dir, { recursive: true, force: true });
      await fsyncDir(o.paths.root);
    },
  });
}
