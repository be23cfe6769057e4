/**
 * The base image's checksums (native/lib/archive/base-sums.md): made by the full backup, kept
 * current by an apply, checked by verify and by a restore, which writes nothing it cannot verify.
 */
import { copyFileSync, existsSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { hashImage } from '../../../native/lib/archive/addon.js';
import { SUMS_BULK, readSums } from '../../../native/lib/archive/base-sums.js';
import { applyUpTo, archivePaths, deleteRestored, restore, verifyArchive } from '../../../native/lib/archive/index.js';
import { fullBackup, snapshot } from '../../../native/lib/storage/index.js';
import { freshVolume, randomChange, rng, sha1, writeAt, type Fixture } from './_workload.js';

describe("the archive's base checksums", () => {
  let f: Fixture;
  const shaAt = new Map<number, string>();
  let saved: string;
  const base = () => archivePaths(f.dataDir, f.vol).base;
  const sumsPath = () => archivePaths(f.dataDir, f.vol).sums;
  const restoreError = async (gid: number) => {
    const path = join(f.dir, `r${gid}.img`);
    const error = await restore(f.dataDir, f.vol, gid, { path }).catch((e: unknown) => e);
    expect(existsSync(path)).toBe(false);
    expect(readdirSync(f.dir).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
    return error as Error;
  };

  beforeAll(async () => {
    const r = rng(17);
    // Four full bulks and a short fifth one.
    f = await freshVolume({ size: 4 * SUMS_BULK + 3 * 4096, bulkSize: 4096 });
    for (let c = 0; c < 6; c++) randomChange(f.device, f.size, r);
    writeAt(f.device, f.size - 4096, Buffer.alloc(4096, 0x11));
    await fullBackup(f.dataDir, f.vol);
    for (let gid = 2; gid <= 4; gid++) {
      for (let c = 0; c < 4; c++) randomChange(f.device, f.size, r);
      writeAt(f.device, SUMS_BULK - 100, Buffer.alloc(200, 0x20 + gid));
      const s = await snapshot(f.dataDir, f.vol, { explicit: false });
      shaAt.set(s.gid, sha1(f.device));
    }
    await applyUpTo(f.dataDir, f.vol, 3);
    saved = join(f.dir, 'base.saved');
    copyFileSync(base(), saved);
  });
  afterAll(async () => {
    await rm(f.dir, { recursive: true, force: true });
  });
  const heal = () => copyFileSync(saved, base());

  it('are kept current by an apply: after it they equal the hashes of the whole new base', async () => {
    const sums = (await readSums(sumsPath()))!;
    expect(sums.snap).toEqual({ b: 3, e: 3 });
    expect(sums.sizeBytes).toBe(f.size);
    const whole = await hashImage({ path: base(), bulkSize: sums.bulkSize, sizeBytes: sums.sizeBytes });
    expect(sums.hashes.equals(whole)).toBe(true);
    const v = await verifyArchive(f.dataDir, f.vol);
    expect(v.problems).toEqual([]);
    expect(v.baseChecked).toBe(true);
  });

  it('let a restore of a sound base write the exact image', async () => {
    const path = join(f.dir, 'ok.img');
    await restore(f.dataDir, f.vol, 4, { path });
    expect(sha1(path)).toBe(shaAt.get(4));
    await deleteRestored(f.dataDir, f.vol, 4, { path });
  });

  it('make a restore of a truncated base.img fail and write nothing, and verify name the size', async () => {
    truncateSync(base(), 1 << 20);
    try {
      expect((await restoreError(4)).message).toMatch(/base image has 1048576 bytes/);
      const v = await verifyArchive(f.dataDir, f.vol);
      expect(v.ok).toBe(false);
      expect(v.problems.join('\n')).toContain(`the base image has 1048576 bytes, the volume ${f.size}`);
    } finally {
      heal();
    }
  });

  for (const [where, at] of [
    ['the first block', () => 0],
    ['the middle', () => Math.floor(f.size / 2) + 7],
    ['the last byte', () => f.size - 1],
    ['the last byte before a bulk boundary', () => SUMS_BULK - 1],
    ['the first byte after a bulk boundary', () => 2 * SUMS_BULK],
  ] as const) {
    it(`finds a byte flipped at ${where}: verify names the bulk and its byte range, a restore fails and writes nothing`, async () => {
      const offset = at();
      const bytes = readFileSync(base());
      bytes[offset] ^= 0x40;
      writeFileSync(base(), bytes);
      try {
        const bulk = Math.floor(offset / SUMS_BULK);
        const range = `bytes ${bulk * SUMS_BULK}..${Math.min((bulk + 1) * SUMS_BULK, f.size) - 1} (bulk ${bulk})`;
        const v = await verifyArchive(f.dataDir, f.vol);
        expect(v.problems).toEqual([`${base()}: ${range} do not match their checksum in base.sums`]);
        expect((await restoreError(4)).message).toContain(range);
      } finally {
        heal();
      }
    });
  }

  it('are reported missing on an archive made before them, never silently trusted, until verify --rebuild-checksums writes them', async () => {
    const kept = readFileSync(sumsPath());
    rmSync(sumsPath());
    try {
      const v = await verifyArchive(f.dataDir, f.vol);
      expect(v.ok).toBe(false);
      expect(v.problems.join('\n')).toMatch(/base\.sums: missing: .*cannot be verified; "walbctl archive verify v --rebuild-checksums"/);
      expect((await restoreError(4)).message).toContain('--rebuild-checksums');
      const rebuilt = await verifyArchive(f.dataDir, f.vol, { rebuildChecksums: true });
      expect(rebuilt.rebuiltChecksums).toBe(true);
      expect(readFileSync(sumsPath()).equals(kept)).toBe(true);
      expect((await verifyArchive(f.dataDir, f.vol)).ok).toBe(true);
    } finally {
      writeFileSync(sumsPath(), kept);
    }
  });

  it('name the damaged byte of a damaged sidecar and the command that rewrites it', async () => {
    const kept = readFileSync(sumsPath());
    const bad = Buffer.from(kept);
    bad[60] ^= 1;
    writeFileSync(sumsPath(), bad);
    try {
      const v = await verifyArchive(f.dataDir, f.vol);
      expect(v.problems.join('\n')).toMatch(new RegExp(`base\\.sums: byte ${kept.length - 4}: checksum .* damaged; "walbctl archive verify v --rebuild-checksums"`));
      expect((await restoreError(4)).message).toContain(`byte ${kept.length - 4}`);
    } finally {
      writeFileSync(sumsPath(), kept);
    }
  });
});
