/**
 * The hash index's seed (native/src/scan/hash_index.h): an unseeded index is still written and read
 * as version 1, a seeded one is version 2 and records its seed, and a scan compares bulks with the
 * seed of the index it reads.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { checkHashIndex, scanVolume } from '../../../native/lib/archive/addon.js';
import { newHashSeed } from '../../../native/lib/archive/hash-seed.js';
import { rng, writeAt } from '../archive/_workload.js';

const dir = mkdtempSync(join(tmpdir(), 'walbctl-seed-'));
const uuid = '0123456789abcdef0123456789abcdef';
const size = 1 << 20;
const bulkSize = 4096;
const image = join(dir, 'v.img');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function randomImage(seed: number): void {
  const r = rng(seed);
  const b = Buffer.alloc(size);
  for (let i = 0; i < size / 2; i++) b[i] = (r.next() * 256) | 0;
  writeFileSync(image, b);
}

describe('the hash index seed', () => {
  it('writes an unseeded index as version 1 (64-byte header) and a seeded one as version 2 with its seed', async () => {
    randomImage(1);
    const v1 = join(dir, 'v1.index');
    const v2 = join(dir, 'v2.index');
    await scanVolume({ source: image, sizeBytes: size, bulkSize, uuid, indexOut: v1 });
    const seed = newHashSeed();
    await scanVolume({ source: image, sizeBytes: size, bulkSize, uuid, indexOut: v2, seed });
    const a = readFileSync(v1);
    const b = readFileSync(v2);
    expect(a.readUInt32LE(8)).toBe(1);
    expect(b.readUInt32LE(8)).toBe(2);
    expect(b.length - a.length).toBe(16);
    expect(b.readBigUInt64LE(64).toString(16).padStart(16, '0')).toBe(seed);
    expect(await checkHashIndex(v1)).toMatchObject({ bulks: size / bulkSize, seed: '0000000000000000' });
    expect(await checkHashIndex(v2)).toMatchObject({ bulks: size / bulkSize, seed });
    // The same bytes under another seed hash differently.
    expect(b.subarray(80, 96).equals(a.subarray(64, 80))).toBe(false);
  });

  it('refuses an unknown version and non-zero reserved bytes, naming the byte', async () => {
    const v2 = readFileSync(join(dir, 'v2.index'));
    const bad = Buffer.from(v2);
    bad.writeUInt32LE(3, 8);
    writeFileSync(join(dir, 'v3.index'), bad);
    await expect(checkHashIndex(join(dir, 'v3.index'))).rejects.toMatchObject({ offset: 8, rule: 'hash-index-version' });
    const res = Buffer.from(v2);
    res[72] = 1;
    writeFileSync(join(dir, 'res.index'), res);
    await expect(checkHashIndex(join(dir, 'res.index'))).rejects.toMatchObject({ offset: 72, rule: 'hash-index-reserved' });
  });

  it('compares with the seed the index it reads was made with, and the new index keeps that seed unless told', async () => {
    randomImage(2);
    const seed = newHashSeed();
    const old = join(dir, 'old.index');
    await scanVolume({ source: image, sizeBytes: size, bulkSize, uuid, indexOut: old, seed });
    writeAt(image, 5 * bulkSize + 7, Buffer.from('changed'));
    writeAt(image, 200 * bulkSize, Buffer.alloc(bulkSize, 1));
    const fresh = join(dir, 'fresh.index');
    const r = await scanVolume({ source: image, sizeBytes: size, bulkSize, uuid, indexIn: old, diffOut: join(dir, 'd.wdiff'), indexOut: fresh });
    expect(r.changedBulks).toBe(2);
    expect((await checkHashIndex(fresh)).seed).toBe(seed);
    // Told another seed: it still compares with the old one's, and writes the new one's.
    const other = newHashSeed();
    const r2 = await scanVolume({ source: image, sizeBytes: size, bulkSize, uuid, indexIn: fresh, diffOut: join(dir, 'd2.wdiff'), indexOut: join(dir, 'other.index'), seed: other });
    expect(r2.changedBulks).toBe(0);
    expect((await checkHashIndex(join(dir, 'other.index'))).seed).toBe(other);
  });

  it('catches a seed edited in the header by the closing checksum (hashes made under one seed never vouch for another)', async () => {
    const forged = Buffer.from(readFileSync(join(dir, 'old.index')));
    forged.writeBigUInt64LE(0x1234n, 64);
    writeFileSync(join(dir, 'forged.index'), forged);
    await expect(scanVolume({ source: image, sizeBytes: size, bulkSize, uuid, indexIn: join(dir, 'forged.index'), diffOut: join(dir, 'd3.wdiff') })).rejects.toMatchObject({ offset: forged.length - 16, rule: 'hash-index-checksum' });
  });

  it('refuses a seed that is not hex', async () => {
    expect(() => scanVolume({ source: image, sizeBytes: size, bulkSize, uuid, indexOut: join(dir, 'x.index'), seed: 'zz' })).toThrow(/seed/);
  });
});
