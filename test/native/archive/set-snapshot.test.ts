/**
 * WalB's enable-/disable-snapshot: an explicit snapshot blocks merges across it until it is made
 * implicit (the diff starting there is renamed with M set), and explicit again the other way.
 */
import { rm } from 'node:fs/promises';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { GidError, RangeRefusedError, listDiffs, merge, observeArchive, setSnapshotExplicit } from '../../../native/lib/archive/index.js';
import { fullBackup, snapshot } from '../../../native/lib/storage/index.js';
import { freshVolume, writeAt, type Fixture } from './_workload.js';

describe('explicit and implicit snapshots', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await freshVolume({ size: 1 << 20, bulkSize: 4096 });
    await fullBackup(f.dataDir, f.vol);
    for (let i = 0; i < 3; i++) {
      writeAt(f.device, 4096 * (i + 1), Buffer.alloc(4096, i + 1));
      await snapshot(f.dataDir, f.vol, { explicit: true });
    }
  });
  afterAll(async () => {
    await rm(f.dir, { recursive: true, force: true });
  });

  it('refuses to merge across an explicit snapshot', async () => {
    await expect(merge(f.dataDir, f.vol, { gidB: 2, gidE: 4 })).rejects.toBeInstanceOf(RangeRefusedError);
  });

  it('merges across it once it is implicit, and it is no longer restorable', async () => {
    await setSnapshotExplicit(f.dataDir, f.vol, { gid: 3, explicit: false });
    expect((await listDiffs(f.dataDir, f.vol)).map((d) => `${d.b.b}-${d.e.b}:${d.mergeable ? 'M' : '-'}`)).toEqual(['0-2:M', '2-3:-', '3-4:M']);
    const r = await merge(f.dataDir, f.vol, { gidB: 2, gidE: 4 });
    expect(r.inputs).toHaveLength(2);
    const a = await observeArchive(f.dataDir, f.vol);
    expect(a!.restorable.map((x) => x.gid)).toEqual([2, 4]);
    expect(a!.explicitSnapshots).toEqual([2, 4]);
  });

  it('names an unknown gid', async () => {
    await expect(setSnapshotExplicit(f.dataDir, f.vol, { gid: 9, explicit: true })).rejects.toBeInstanceOf(GidError);
  });
});
