import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { restoreOwners, updateInventory } from '../../../reconciler/apply/inventory.js';

describe('restoreOwners', () => {
  it('maps each restored image the reconciler made to its volume, and follows every change of the inventory', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'walbctl-inventory-'));
    try {
      expect((await restoreOwners(dataDir)).size).toBe(0);
      await updateInventory(dataDir, (inv) => {
        inv.files.push({ path: '/srv/r1.img', volume: 'a', kind: 'restore', gid: 3, at: '2026-12-07T00:00:00Z' });
        inv.files.push({ path: '/dev/loop9', volume: 'a', kind: 'device', at: '2026-12-07T00:00:00Z' });
      });
      const first = await restoreOwners(dataDir);
      expect([...first]).toEqual([['/srv/r1.img', 'a']]);
      expect(await restoreOwners(dataDir)).toBe(first); // unchanged: not read again
      await updateInventory(dataDir, (inv) => {
        inv.files = inv.files.filter((f) => f.kind !== 'restore');
        inv.files.push({ path: '/srv/r2.img', volume: 'b', kind: 'restore', gid: 5, at: '2026-12-07T00:00:01Z' });
      });
      expect([...(await restoreOwners(dataDir))]).toEqual([['/srv/r2.img', 'b']]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
