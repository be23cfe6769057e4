/**
 * Before an action writes or deletes a file, the executor asks here whether the reconciler may: a
 * restore writes only a path no other volume declares and no one else made; a delete-restore and an
 * archive's clear delete only images the inventory lists for that volume; a storage init takes an
 * existing file as the volume's device only if no restore ever wrote it. Decided from the inventory,
 * the desired state and the disk at run time — never from the plan's flags. What an action made or
 * removed is recorded here too (inventory.ts).
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';

import type { DesiredHost, DesiredState, DesiredVolume } from '../model/desired.js';
import type { PlanAction } from '../model/plan.js';
import { claimedByOther, describeClaim, hostClaims, type Claims } from '../policy/claims.js';
import { entryAt, readInventory, updateInventory, type Inventory } from './inventory.js';
import { readRestoredPaths, recordRestoredPath } from './restored-paths.js';

export type OwnershipCheck =
  | { refuse: string }
  | {
      refuse: null;
      /** Run before the action: records what it is about to create. */
      before?: () => Promise<void>;
      /** Run after the action succeeded: records what it created or removed. */
      after?: () => Promise<void>;
    };

const exists = (path: string): Promise<boolean> => stat(path).then(() => true, () => false);

export class Ownership {
  private claimsCache: Claims | null = null;

  constructor(
    private readonly host: DesiredHost,
    private readonly desired: DesiredState,
  ) {}

  private get claims(): Claims {
    return (this.claimsCache ??= hostClaims(this.desired, this.host.name));
  }

  /** Whether `path` is a file the reconciler made for `volume` that no other volume declares now. */
  mayRemove(inventory: Inventory, volume: string): (path: string) => boolean {
    return (path) => {
      const e = entryAt(inventory, resolve(path));
      return e?.volume === volume && e.kind === 'restore' && !claimedByOther(this.claims, e.path, volume);
    };
  }

  async check(action: PlanAction, volumeName: string, volume: DesiredVolume | null): Promise<OwnershipCheck & { mayRemove?: (path: string) => boolean }> {
    const dataDir = this.host.dataDir;
    switch (action.kind) {
      case 'restore':
        return this.restore(action, volumeName);
      case 'delete-restore': {
        const path = resolve(String(action.params.path));
        const inv = await readInventory(dataDir);
        const e = entryAt(inv, path);
        if (!e || e.kind !== 'restore' || e.volume !== volumeName) return { refuse: `${path} was not restored by walbctl for ${volumeName} (not in its inventory): it is left alone` };
        const other = claimedByOther(this.claims, path, volumeName);
        if (other) return { refuse: `${path} is now ${describeClaim(other)}: it is not deleted` };
        return { refuse: null, after: () => this.forgetGone(volumeName) };
      }
      case 'clear':
        if (action.params.role !== 'archive') return { refuse: null };
        return { refuse: null, mayRemove: this.mayRemove(await readInventory(dataDir), volumeName), after: () => this.forgetGone(volumeName) };
      case 'init': {
        if (action.params.role !== 'storage') return { refuse: null };
        const raw = typeof action.params.device === 'string' ? action.params.device : volume?.device.path;
        if (!raw) return { refuse: null };
        const device = resolve(raw);
        const inv = await readInventory(dataDir);
        const e = entryAt(inv, device);
        if (e?.kind === 'restore' || (await readRestoredPaths(dataDir)).has(device)) {
          return { refuse: `${device} was written by a restore${e ? ` of ${e.volume}` : ''}: it is not taken as ${volumeName}'s device (move the image away, or declare another device path)` };
        }
        if (e || (await exists(device))) return { refuse: null };
        return { refuse: null, after: () => this.record({ path: device, volume: volumeName, kind: 'device' }) };
      }
      default:
        return { refuse: null };
    }
  }

  private async restore(action: PlanAction, volumeName: string): Promise<OwnershipCheck> {
    const path = resolve(String(action.params.path));
    const other = claimedByOther(this.claims, path, volumeName);
    if (other) return { refuse: `${path} is ${describeClaim(other)}: a restore of ${volumeName} never writes there` };
    const e = entryAt(await readInventory(this.host.dataDir), path);
    if (e && (e.kind !== 'restore' || e.volume !== volumeName)) return { refuse: `${path} is ${e.volume}'s ${e.kind} in walbctl's inventory: a restore of ${volumeName} does not overwrite it` };
    if (!e && (await exists(path))) return { refuse: `${path} exists and walbctl did not make it (not in its inventory): a restore does not overwrite it` };
    const gid = typeof action.params.gid === 'number' ? action.params.gid : undefined;
    return {
      refuse: null,
      // Recorded before a byte is written: a crash mid-restore leaves a file the inventory owns.
      before: async () => {
        await recordRestoredPath(this.host.dataDir, path);
        await this.record({ path, volume: volumeName, kind: 'restore', ...(gid !== undefined ? { gid } : {}) });
      },
    };
  }

  private async record(entry: { path: string; volume: string; kind: 'restore' | 'device'; gid?: number }): Promise<void> {
    await updateInventory(this.host.dataDir, (inv) => {
      inv.files = inv.files.filter((e) => e.path !== entry.path);
      inv.files.push({ ...entry, at: new Date().toISOString() });
    });
  }

  /** Drops the volume's restore entries whose file is gone; the ones still on disk stay listed. */
  private async forgetGone(volume: string): Promise<void> {
    const inv = await readInventory(this.host.dataDir);
    const gone: string[] = [];
    for (const e of inv.files) if (e.volume === volume && e.kind === 'restore' && !(await exists(e.path))) gone.push(e.path);
    if (gone.length > 0) await updateInventory(this.host.dataDir, (i) => void (i.files = i.files.filter((e) => !gone.includes(e.path))));
  }
}
