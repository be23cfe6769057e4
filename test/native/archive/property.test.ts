/**
 * Property: random workloads (writes of random sizes and offsets, zeros, discards) with snapshots
 * between them; every restorable gid restores to exactly the bytes the volume had at that snapshot
 * (sha1), before and after merges, applies and a hash backup.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { applyUpTo, deleteRestored, merge, observeArchive, restorable, restore, verifyArchive, RangeRefusedError } from '../../../native/lib/archive/index.js';
import { fullBackup, hashBackup, observeStorage, snapshot, storagePaths } from '../../../native/lib/storage/index.js';
import { freshVolume, randomChange, rng, sha1, type Fixture } from './_workload.js';

async function checkAll(f: Fixture, expected: Map<number, string>, where: string): Promise<number[]> {
  const gids = (await restorable(f.dataDir, f.vol)).map((r) => r.gid);
  for (const gid of gids) {
    const path = join(f.dir, `restore-${gid}.img`);
    await restore(f.dataDir, f.vol, gid, { path });
    expect(sha1(path), `${where}: gid ${gid}`).toBe(expected.get(gid));
    await deleteRestored(f.dataDir, f.vol, gid);
  }
  const report = await verifyArchive(f.dataDir, f.vol);
  expect(report.problems, where).toEqual([]);
  return gids;
}

async function snapshots(f: Fixture, r: ReturnType<typeof rng>, expected: Map<number, string>, n: number): Promise<void> {
  for (let s = 0; s < n; s++) {
    for (let c = r.int(0, 4); c > 0; c--) randomChange(f.device, f.size, r);
    const snap = await snapshot(f.dataDir, f.vol, { explicit: r.next() < 0.3 });
    expected.set(snap.gid, sha1(f.device));
  }
}

describe('restore after random workloads', () => {
  it.each([1, 2, 3, 4])(
    'restores every restorable gid to the exact bytes of its snapshot, before and after merges, applies and a hash backup (seed %i)',
    { timeout: 60_000 },
    async (seed) => {
      const r = rng(seed);
      const f = await freshVolume({ size: 2 << 20, bulkSize: r.pick([4096, 16384, 65536]) });
      const expected = new Map<number, string>();
      try {
        for (let c = 0; c < 4; c++) randomChange(f.device, f.size, r);
        await fullBackup(f.dataDir, f.vol);
        await snapshots(f, r, expected, 8);
        const before = await checkAll(f, expected, 'after snapshots');
        expect(before).toEqual([...expected.keys()]);

        let merged = 0;
        let refused = 0;
        for (let k = 0; k < 6; k++) {
          const a = (await observeArchive(f.dataDir, f.vol))!;
          const diffs = a.diffs;
          if (diffs.length < 2) break;
          const i = r.int(0, diffs.length - 2);
          let j = i;
          while (j + 1 < diffs.length && diffs[j + 1]!.mergeable && !a.explicitSnapshots.includes(diffs[j + 1]!.b.b)) j++;
          if (j > i) {
            await merge(f.dataDir, f.vol, { gidB: diffs[i]!.b.b, gidE: diffs[r.int(i + 1, j)]!.e.b });
            merged++;
          } else {
            // The run ends at an explicit snapshot: a merge across it is refused and changes nothing.
            await expect(merge(f.dataDir, f.vol, { gidB: diffs[i]!.b.b, gidE: diffs[i + 1]!.e.b })).rejects.toBeInstanceOf(RangeRefusedError);
            expect((await observeArchive(f.dataDir, f.vol))!.diffs).toEqual(diffs);
            refused++;
          }
        }
        expect(merged + refused).toBeGreaterThan(0);
        const afterMerge = await checkAll(f, expected, `after ${merged} merges (${refused} refused)`);
        const explicit = (await observeArchive(f.dataDir, f.vol))!.explicitSnapshots;
        for (const g of explicit) if (expected.has(g)) expect(afterMerge).toContain(g);

        const target = afterMerge[Math.floor(afterMerge.length / 2)]!;
        await applyUpTo(f.dataDir, f.vol, target);
        const afterApply = await checkAll(f, expected, `after apply to ${target}`);
        expect(afterApply[0]).toBe(target);

        await snapshots(f, r, expected, 3);
        await rm(storagePaths(f.dataDir, f.vol).index);
        expect((await observeStorage(f.dataDir, f.vol))!.overflow).toBe(true);
        for (let c = 0; c < 3; c++) randomChange(f.device, f.size, r);
        const hb = await hashBackup(f.dataDir, f.vol);
        expected.set(hb.gid, sha1(f.device));
        await snapshots(f, r, expected, 2);
        const last = await checkAll(f, expected, 'after a hash backup');
        expect(last).toContain(hb.gid);
      } finally {
        await rm(f.dir, { recursive: true, force: true });
      }
    },
  );
});
