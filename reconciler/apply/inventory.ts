/**
 * The inventory: the files the reconciler created, as Flux's kustomize-controller keeps the objects
 * it applied. The reconciler deletes or overwrites only a file listed here, for the volume that
 * listed it; an operator's restore, another volume's device or any file it did not make is left
 * alone. An entry goes in before the file is written (a crash leaves the entry, and the file is
 * ours), and comes out only once the file is gone: survivors of a partial prune stay listed.
 *
 * Kept in `<dataDir>/reconciler/inventory.json`, written atomically under the host lock.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

import { atomicWriteFile } from '../../common/atomic-write.js';
import { InputError } from '../../common/errors.js';
import { statePaths } from './state-paths.js';
import { statKey } from '../../common/stat-key.js';

export interface InventoryEntry {
  /** Absolute path of the file or device. */
  path: string;
  /** The volume it was made for. */
  volume: string;
  /** `restore`: a declared restore's image; `device`: a volume's device file made by init. */
  kind: 'restore' | 'device';
  /** The gid a restore wrote (the latest one at this path). */
  gid?: number;
  /** When it was recorded (UTC, ISO 8601). */
  at: string;
}

export interface Inventory {
  formatVersion: 1;
  files: InventoryEntry[];
}

export async function readInventory(dataDir: string): Promise<Inventory> {
  const file = statePaths(dataDir).inventory;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { formatVersion: 1, files: [] };
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InputError(`unreadable inventory: ${(error as Error).message}`, file, { cause: error });
  }
  const inv = parsed as Inventory;
  if (inv?.formatVersion !== 1 || !Array.isArray(inv.files)) throw new InputError('unreadable inventory: expected {"formatVersion": 1, "files": [...]}', file);
  inv.files.forEach((e, i) => {
    const bad = typeof e?.path !== 'string' ? 'path' : typeof e.volume !== 'string' ? 'volume' : e.kind !== 'restore' && e.kind !== 'device' ? 'kind' : null;
    if (bad) throw new InputError(`unreadable inventory: files[${i}].${bad} is ${JSON.stringify((e as unknown as Record<string, unknown>)?.[bad] ?? null)}`, file);
  });
  return inv;
}

/** Read, change, write atomically; returns what was written. The caller holds the host lock. */
export async function updateInventory(dataDir: string, change: (inventory: Inventory) => void): Promise<Inventory> {
  const inv = await readInventory(dataDir);
  change(inv);
  inv.files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const file = statePaths(dataDir).inventory;
  await mkdir(dirname(file), { recursive: true });
  await atomicWriteFile(file, JSON.stringify(inv, null, 2) + '\n');
  return inv;
}

export function entryAt(inventory: Inventory, path: string): InventoryEntry | undefined {
  return inventory.files.find((e) => e.path === path);
}

/** Restored image path → the volume whose restore made it, from the inventory; read again only
 *  when inventory.json changed (a daemon pass asks on every observation). */
const ownersCache = new Map<string, { key: string; owners: ReadonlyMap<string, string> }>();

export async function restoreOwners(dataDir: string): Promise<ReadonlyMap<string, string>> {
  const file = statePaths(dataDir).inventory;
  const key = statKey(file);
  const hit = ownersCache.get(file);
  if (key !== null && hit && hit.key === key) return hit.owners;
  const owners = new Map<string, string>();
  for (const e of (await readInventory(dataDir)).files) if (e.kind === 'restore') owners.set(e.path, e.volume);
  if (key !== null) ownersCache.set(file, { key, owners });
  return owners;
}
