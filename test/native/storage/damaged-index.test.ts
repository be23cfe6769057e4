/**
 * A damaged hash.index counts as overflow, as the docs say: `vol state` reports it with its reason
 * and the file/byte at fault, the planner plans the hash backup (not the snapshot that would fail
 * forever), and the hash backup brings the storage back.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { fullBackup, hashBackup, observeStorage, snapshot } from '../../../native/lib/storage/index.js';
import { storagePaths } from '../../../native/lib/storage/layout.js';
import { storageLifecycle } from '../../../reconciler/policy/lifecycle.js';
import { archive, volume } from '../../reconciler/plan/fixtures.js';
import { walbctl } from '../../helpers/cli.js';
import { freshVolume, randomChange, rng, type Fixture } from '../archive/_workload.js';

describe('a damaged hash index', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await freshVolume({ size: 1 << 20, bulkSize: 4096 });
    randomChange(f.device, f.size, rng(5));
    await fullBackup(f.dataDir, f.vol);
    const index = storagePaths(f.dataDir, f.vol).index;
    const bytes = readFileSync(index);
    bytes[64 + 16 * 3] ^= 0x01; // one bit of the fourth bulk's hash
    writeFileSync(index, bytes);
  });
  afterAll(async () => {
    await rm(f.dir, { recursive: true, force: true });
  });

  it('counts as overflow: vol state says so with the reason, and the plan plans the hash backup instead of the failing snapshot', async () => {
    const s = await observeStorage(f.dataDir, f.vol);
    expect(s).toMatchObject({ overflow: true, overflowReason: 'hash-index-damaged' });
    const out = await walbctl(['vol', 'state', f.vol, '--data-dir', f.dataDir]);
    expect(out.stdout).toMatch(/overflow \(hash-index-damaged: .*hash\.index.*\): run a hash backup/);
    await expect(snapshot(f.dataDir, f.vol)).rejects.toThrow(/hash backup/);
    const plan = storageLifecycle({ host: 'local', volume: volume(), storage: s, localArchive: archive(0, []) });
    expect(plan.steps.map((x) => x.kind)).toEqual(['hash-backup']);
    expect(plan.steps[0]!.reason).toBe('the hash index is damaged: only a hash backup recovers');
    await hashBackup(f.dataDir, f.vol);
    expect(await observeStorage(f.dataDir, f.vol)).toMatchObject({ overflow: false });
    await snapshot(f.dataDir, f.vol);
  });
});
