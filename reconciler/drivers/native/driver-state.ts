/**
 * What the native driver remembers beyond the archive's own metadata, per volume: when the last
 * merge finished (walb-worker's periodic merge counts from it) and the outcome of each restore
 * verification. Kept in `<dataDir>/reconciler/native-driver.json`, written atomically.
 */
import { mkdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { InputError } from '../../../common/errors.js';
import { atomicWriteFile } from '../../../common/atomic-write.js';
import { statePaths } from '../../apply/state-paths.js';

export interface Verification {
  gid: number;
  /** The restored image's createdAt when it was verified: a newer restore at the same path is not verified. */
  createdAt: string | null;
  ok: boolean;
  at: string;
}

export interface DriverVolumeState {
  lastMergeAt?: string;
  /** By restored image path. */
  verified?: Record<string, Verification>;
}

export interface DriverState {
  formatVersion: 1;
  volumes: Record<string, DriverVolumeState>;
}

export function driverStateFile(dataDir: string): string {
  return join(statePaths(dataDir).dir, 'native-driver.json');
}

/** The last read per file, reused while the file's mtime and size stay (observation reads it per
 * volume). Callers treat the result as read-only; writers clone it first. */
const cache = new Map<string, { mtimeMs: number; size: number; state: DriverState }>();

export async function readDriverState(dataDir: string): Promise<DriverState> {
  const file = driverStateFile(dataDir);
  let text: string;
  let st;
  try {
    st = await stat(file);
    const hit = cache.get(file);
    if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.state;
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { formatVersion: 1, volumes: {} };
    throw error;
  }
  try {
    const state = JSON.parse(text) as DriverState;
    if (state.formatVersion !== 1 || typeof state.volumes !== 'object' || state.volumes === null) throw new Error('expected {"formatVersion": 1, "volumes": {...}}');
    cache.set(file, { mtimeMs: st.mtimeMs, size: st.size, state });
    return state;
  } catch (error) {
    throw new InputError(`unreadable driver state: ${(error as Error).message}`, file, { cause: error });
  }
}

/** Read-modify-write of one volume's entry (the host lock keeps writers apart). */
export async function updateDriverState(dataDir: string, vol: string, change: (v: DriverVolumeState) => void): Promise<void> {
  const state = structuredClone(await readDriverState(dataDir));
  const v = (state.volumes[vol] ??= {});
  change(v);
  const file = driverStateFile(dataDir);
  await mkdir(dirname(file), { recursive: true });
  await atomicWriteFile(file, JSON.stringify(state, null, 2) + '\n');
}

/** Forgets a volume (after its archive was cleared). */
export async function forgetVolume(dataDir: string, vol: string): Promise<void> {
  const state = structuredClone(await readDriverState(dataDir));
  if (!(vol in state.volumes)) return;
  delete state.volumes[vol];
  await atomicWriteFile(driverStateFile(dataDir), JSON.stringify(state, null, 2) + '\n');
}
