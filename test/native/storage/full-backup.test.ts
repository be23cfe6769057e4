/**
 * Full backup streams the volume into the archive's base: holes stay holes and all-zero ranges cost
 * nothing, and so do the all-zero 4 KiB blocks of a bulk with data; base.sums comes from the same pass;
 * the base is the dirty snapshot |0,1| and the first snapshot makes it restorable.
 */
import { statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { archivePaths, observeArchive, restorable, restore } from '../../../native/lib/archive/index.js';
import { hashImage } from '../../../native/lib/archive/addon.js';
import { SUMS_BULK, readSums } from '../../../native/lib/archive/base-sums.js';
import { fullBackup, snapshot } from '../../../native/lib/storage/index.js';
import { freshVolume, sha1, writeAt, type Fixture } from '../archive/_workload.js';

describe('a full backup', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await freshVolume({ size: 8 << 20, bulkSize: 65536 });
    writeAt(f.device, 1 << 20, Buffer.alloc(65536, 0x42)); // one bulk of data
    writeAt(f.device, 3 << 20, Buffer.alloc(2 << 20, 0)); // 2 MiB of written zeros
    writeAt(f.device, (6 << 20) + 8192, Buffer.alloc(4096, 0x17)); // one 4 KiB block of data in a bulk of zeros
  });
  afterAll(async () => {
    await rm(f.dir, { recursive: true, force: true });
  });

  it('writes only the non-zero 4 KiB blocks: written zeros and holes stay holes in the base', async () => {
    const r = await fullBackup(f.dataDir, f.vol);
    expect(r.dataBytes).toBe(2 * 65536); // two bulks hold data
    const base = statSync(archivePaths(f.dataDir, f.vol).base);
    expect(base.size).toBe(8 << 20);
    expect(base.blocks * 512).toBeLessThanOrEqual(65536 + 4096 + 8192);
    expect(sha1(archivePaths(f.dataDir, f.vol).base)).toBe(sha1(f.device));
  });

  it('writes base.sums from the pass that wrote the base: the hashes of the base as installed', async () => {
    const paths = archivePaths(f.dataDir, f.vol);
    const sums = await readSums(paths.sums);
    expect(sums).toMatchObject({ bulkSize: SUMS_BULK, sizeBytes: 8 << 20, snap: { b: 0, e: 1 } });
    expect(sums!.hashes.equals(await hashImage({ path: paths.base, bulkSize: SUMS_BULK, sizeBytes: 8 << 20 }))).toBe(true);
  });

  it('leaves the base as the dirty snapshot |0,1|, not restorable until the first snapshot', async () => {
    const a = await observeArchive(f.dataDir, f.vol);
    expect(a).toMatchObject({ state: 'Archived', base: { b: { b: 0, e: 1 } } });
    expect(await restorable(f.dataDir, f.vol)).toEqual([]);
    const s = await snapshot(f.dataDir, f.vol);
    expect(s.file).toMatch(/-M--0-1-2-2\.wdiff$/);
    const out = await restore(f.dataDir, f.vol, 2, { path: join(f.dir, 'r.img') });
    expect(sha1(out.path)).toBe(sha1(f.device));
    expect(statSync(out.path).blocks * 512).toBeLessThanOrEqual(65536 + 4096 + 8192);
    const copy = await restore(f.dataDir, f.vol, 2, { path: join(f.dir, 'c.img'), mode: 'copy' });
    expect(copy.method).toBe('copy');
    expect(sha1(copy.path)).toBe(sha1(f.device));
    expect(statSync(copy.path).blocks * 512).toBeLessThanOrEqual(65536 + 4096 + 8192);
  });
});
