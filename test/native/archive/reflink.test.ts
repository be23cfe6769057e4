/**
 * Restore through reflink (FICLONE) on a file system that supports it: an XFS image made with
 * `mkfs.xfs -m reflink=1` on a loop device. Root only.
 */
import { statfsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { restore } from '../../../native/lib/archive/index.js';
import { fullBackup, snapshot } from '../../../native/lib/storage/index.js';
import { freshVolume, randomChange, rng, sha1, writeAt, type Fixture } from './_workload.js';
import { mountSkipReason, mountXfsReflink, type Mounted } from './_mount.js';

const skip = mountSkipReason(['mkfs.xfs', 'losetup']);
if (skip) console.warn(`reflink restore tests skipped: ${skip}`);

describe.skipIf(skip)('restore on XFS with reflink', () => {
  let m: Mounted;
  let f: Fixture;
  const expected = new Map<number, string>();

  beforeAll(async () => {
    m = mountXfsReflink(512 << 20);
    f = await freshVolume({ dir: m.dir, size: 32 << 20 });
    const r = rng(11);
    // 16 MiB of random data: a sparse copy of the base would need all of it again.
    for (let i = 0; i < 16; i++) writeAt(f.device, i * (2 << 20), Buffer.from(Array.from({ length: 1 << 20 }, () => (r.next() * 256) | 0)));
    await fullBackup(f.dataDir, f.vol);
    for (let s = 0; s < 3; s++) {
      for (let c = 0; c < 3; c++) randomChange(f.device, f.size, r);
      const snap = await snapshot(f.dataDir, f.vol);
      expected.set(snap.gid, sha1(f.device));
    }
  }, 120_000);
  afterAll(() => m?.unmount());

  it('clones the base with FICLONE and applies the diffs: exact bytes, little new space', async () => {
    const free = () => Number(statfsSync(m.dir).bavail) * Number(statfsSync(m.dir).bsize);
    const before = free();
    const path = join(m.dir, 'r4.img');
    const res = await restore(f.dataDir, f.vol, 4, { path, mode: 'reflink' });
    expect(res.method).toBe('reflink');
    expect(sha1(path)).toBe(expected.get(4));
    expect(before - free()).toBeLessThan(8 << 20);
    await rm(path);
  });

  it('uses reflink by default where the file system supports it', async () => {
    const res = await restore(f.dataDir, f.vol, 3, { path: join(m.dir, 'r3.img') });
    expect(res.method).toBe('reflink');
    expect(sha1(res.path)).toBe(expected.get(3));
  });

  it('falls back to a sparse copy when told to copy', async () => {
    const res = await restore(f.dataDir, f.vol, 2, { path: join(m.dir, 'r2.img'), mode: 'copy' });
    expect(res.method).toBe('copy');
    expect(sha1(res.path)).toBe(expected.get(2));
  });
});

describe('restore with --mode reflink where the file system cannot clone', () => {
  it('fails with the reason and leaves no image', async () => {
    const f = await freshVolume({ size: 1 << 20 });
    try {
      writeAt(f.device, 0, Buffer.alloc(4096, 1));
      await fullBackup(f.dataDir, f.vol);
      await snapshot(f.dataDir, f.vol);
      const path = join(f.dir, 'r.img');
      const tmpFs = statfsSync(f.dir).type;
      // ext4 (0xef53) and tmpfs (0x01021994) cannot clone; skip the assertion elsewhere.
      if (tmpFs !== 0xef53 && tmpFs !== 0x01021994) return;
      await expect(restore(f.dataDir, f.vol, 2, { path, mode: 'reflink' })).rejects.toThrow(/FICLONE/);
      await expect(import('node:fs/promises').then((fs) => fs.stat(path))).rejects.toThrow();
    } finally {
      await rm(f.dir, { recursive: true, force: true });
    }
  });
});
