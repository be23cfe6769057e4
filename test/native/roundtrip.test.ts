/**
 * Round trips: random write sequences (sizes, overlaps, discards, zeros, padding, both block sizes)
 * through our wlog writer, our conversion and our apply equal replaying the writes directly; merging
 * N random wdiffs equals applying them in order.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { applyLogs, convertWlog, mergeWdiffs, showWdiff, verifyFile, writeWlog, type CompressionName } from '../../native/lib/index.js';
import { patternImage, prng, randomIos, replay, tempDir, writeImage } from './helpers.js';

const VOLUME = 2048; // 1 MiB volume keeps each case fast
let tmp: ReturnType<typeof tempDir>;
beforeAll(() => (tmp = tempDir()));
afterAll(() => tmp.cleanup());

let n = 0;
const file = (name: string) => join(tmp.dir, `${n++}-${name}`);

async function imageAfter(inputs: string[], base: Buffer): Promise<Buffer> {
  const img = file('img');
  writeImage(img, base);
  await applyLogs(inputs, img);
  return readFileSync(img);
}

describe.each([512, 4096] as const)('at physical block size %i', (pbs) => {
  const base = patternImage(VOLUME * 512);

  it.each([1, 2, 3, 4, 5, 6])('seed %i: wlog -> sorted and indexed wdiff -> apply equals direct replay', async (seed) => {
    const rand = prng(seed * 1000 + pbs);
    const ios = randomIos(rand, { volumeBlocks: VOLUME, ios: 120, maxBlocks: seed % 2 ? 300 : 40, discard: 0.15, zero: 0.1, padding: 0.03, flush: 0.1 });
    const wlog = file('a.wlog');
    await writeWlog(wlog, { pbs, salt: (seed * 0x9e3779b9) >>> 0 }, ios);
    const want = replay(base, ios);
    expect((await imageAfter([wlog], base)).equals(want)).toBe(true);
    const compressions: CompressionName[] = ['none', 'lz4', 'zstd', 'snappy', 'gzip', 'lzma'];
    for (const indexed of [false, true]) {
      const comp = compressions[(seed + (indexed ? 3 : 0)) % compressions.length]!;
      for (const maxIoBlocks of [2048, 16]) {
        const wdiff = file(indexed ? 'a.iwdiff' : 'a.wdiff');
        await convertWlog([wlog], wdiff, { indexed, compression: comp, maxIoBlocks });
        await verifyFile(wdiff);
        const show = await showWdiff(wdiff);
        for (const r of show.records) expect(r.blocks).toBeLessThanOrEqual(maxIoBlocks);
        expect((await imageAfter([wdiff], base)).equals(want)).toBe(true);
      }
    }
  });

  it('splits a long write into records of at most 1 MiB by default', async () => {
    const rand = prng(77);
    const ios = randomIos(rand, { volumeBlocks: 8192, ios: 1, maxBlocks: 1 }).map(() => ({
      kind: 'write' as const,
      address: 100,
      blocks: 5000,
      data: Buffer.alloc(5000 * 512, 7),
    }));
    const wlog = file('long.wlog');
    await writeWlog(wlog, { pbs }, ios);
    const wdiff = file('long.wdiff');
    await convertWlog([wlog], wdiff);
    expect((await showWdiff(wdiff)).records.map((r) => [r.address, r.blocks])).toEqual([
      [100, 2048],
      [2148, 2048],
      [4196, 904],
    ]);
  });

  it('reads concatenated wlogs as one log and refuses a gap in lsids', async () => {
    const rand = prng(pbs + 5);
    const first = randomIos(rand, { volumeBlocks: VOLUME, ios: 30, maxBlocks: 64, discard: 0.2 });
    const second = randomIos(rand, { volumeBlocks: VOLUME, ios: 30, maxBlocks: 64, zero: 0.2 });
    const uuid = Buffer.alloc(16, 0xab);
    const a = file('a.wlog');
    const b = file('b.wlog');
    const { endLsid } = await writeWlog(a, { pbs, uuid }, first);
    await writeWlog(b, { pbs, uuid, beginLsid: endLsid }, second);
    const want = replay(base, [...first, ...second]);
    expect((await imageAfter([a, b], base)).equals(want)).toBe(true);
    const wdiff = file('ab.wdiff');
    await convertWlog([a, b], wdiff);
    expect((await imageAfter([wdiff], base)).equals(want)).toBe(true);
    const gap = file('gap.wlog');
    await writeWlog(gap, { pbs, uuid, beginLsid: endLsid + 1 }, second);
    await expect(convertWlog([a, gap], file('x.wdiff'))).rejects.toMatchObject({ rule: 'wlog-sequence', offset: 40 });
  });

  it.each([1, 2, 3])('seed %i: merging N random wdiffs equals applying them in order', async (seed) => {
    const rand = prng(seed * 31 + pbs);
    const wdiffs: string[] = [];
    let all: ReturnType<typeof randomIos> = [];
    const count = 3 + seed * 2;
    for (let i = 0; i < count; i++) {
      const ios = randomIos(rand, { volumeBlocks: VOLUME, ios: 40, maxBlocks: 200, discard: 0.15, zero: 0.1 });
      all = all.concat(ios);
      const wlog = file('m.wlog');
      await writeWlog(wlog, { pbs }, ios);
      const wdiff = file(i % 3 === 2 ? 'm.iwdiff' : 'm.wdiff');
      await convertWlog([wlog], wdiff, { indexed: i % 3 === 2, compression: (['lz4', 'snappy', 'zstd'] as const)[i % 3] });
      wdiffs.push(wdiff);
    }
    const want = replay(base, all);
    expect((await imageAfter(wdiffs, base)).equals(want)).toBe(true);
    for (const compression of ['lz4', 'none'] as const) {
      const merged = file('merged.wdiff');
      await mergeWdiffs(wdiffs, merged, { compression });
      await verifyFile(merged);
      expect((await imageAfter([merged], base)).equals(want)).toBe(true);
    }
    // Merging in two steps gives the same image as merging at once.
    const left = file('left.wdiff');
    const right = file('right.wdiff');
    const half = Math.floor(wdiffs.length / 2);
    await mergeWdiffs(wdiffs.slice(0, half), left);
    await mergeWdiffs(wdiffs.slice(half), right);
    const both = file('both.wdiff');
    await mergeWdiffs([left, right], both);
    expect((await imageAfter([both], base)).equals(want)).toBe(true);
  });
});

describe('a sorted wdiff of compressed records', () => {
  // A pack closes at 127 records or at 8 MiB of data (kWritePackData); the record that does not fit
  // opens the next one, and every record keeps its compression.
  it.each([
    { name: 'a pack closes at 127 records and the 128th opens the next', ios: 400, blocks: 8, packs: 4 },
    { name: 'a pack closes at 8 MiB of data and the record past it opens the next', ios: 24, blocks: 2048, packs: 2 },
  ])('$name', async ({ ios: count, blocks, packs }) => {
    const volume = count * blocks;
    const base = patternImage(volume * 512);
    const rand = prng(count);
    // Half random (lz4 cannot shrink it), half a repeated byte: each record compresses to ~half.
    const ios = Array.from({ length: count }, (_, i) => {
      const data = Buffer.alloc(blocks * 512, i & 0xff);
      for (let k = 0; k < data.length / 2; k++) data[k] = Math.floor(rand() * 256);
      return { kind: 'write' as const, address: i * blocks, blocks, data };
    });
    const wlog = file('packs.wlog');
    await writeWlog(wlog, { pbs: 4096 }, ios);
    const wdiff = file('packs.wdiff');
    await convertWlog([wlog], wdiff, { compression: 'lz4' });
    const v = await verifyFile(wdiff);
    expect(v.records).toBe(count);
    expect(v.packs).toBe(packs);
    const show = await showWdiff(wdiff);
    expect(show.records.every((r) => r.compression === 'lz4')).toBe(true);
    expect((await imageAfter([wdiff], base)).equals(replay(base, ios))).toBe(true);
  });
});
