/**
 * One storage volume on disk: its state (Clear when absent), and running an operation on it under
 * the volume's lock. Storage operations exclude each other; a second one is refused at once.
 */
import { stat } from 'node:fs/promises';

import type { StorageState } from '../../../common/observed.js';
import { WrongStateError } from '../archive/errors.js';
import { withLock } from '../archive/lock.js';
import { readStorageMeta, writeStorageMeta, type StorageMeta } from './meta.js';
import { storagePaths, type StoragePaths } from './layout.js';

export async function readStorage(paths: StoragePaths): Promise<StorageMeta | null> {
  try {
    await stat(paths.meta);
  } catch {
    return null;
  }
  return readStorageMeta(paths.meta);
}

export interface StorageOp {
  paths: StoragePaths;
  meta: StorageMeta;
  /** Writes `meta` (as changed by the caller) atomically. */
  save(): Promise<void>;
}

/** Runs `fn` holding the volume's lock after checking its state is one of `states`. */
export async function withStorage<T>(dataDir: string, vol: string, opts: { op: string; states: readonly StorageState[]; run: (o: StorageOp) => Promise<T> }): Promise<T> {
  const paths = storagePaths(dataDir, vol);
  const first = await readStorage(paths);
  if (!first) throw new WrongStateError(vol, opts.op, 'Clear', opts.states);
  return withLock(
    paths.lock,
    async () => {
      const meta = (await readStorage(paths))!;
      if (!opts.states.includes(meta.state)) throw new WrongStateError(vol, opts.op, meta.state, opts.states);
      return opts.run({ paths, meta, save: () => writeStorageMeta(paths.meta, meta) });
    },
    { volume: vol, operation: opts.op, timeoutMs: 0 },
  );
}
