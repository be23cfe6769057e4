/**
 * The merge reads its inputs side by side in address order (a k-way merge) and writes each extent as
 * soon as no record still to come can overlap it. These tests hold it to what inserting every input
 * whole, oldest first, gives (a model of the extent index written here): the same records, cut at the
 * same places, with the same kinds; and to checking every record's data, those later inputs overwrite
 * whole included, wherever they lie in their file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { applyLogs, convertWlog, mergeWdiffs, showWdiff, writeWlog, type WlogIo } from '../../native/lib/index.js';
import { blockData, patternImage, prng, randomIos, tempDir, writeImage } from './helpers.js';

const VOLUME = 4096;
let tmp: ReturnType<typeof tempDir>;
beforeAll(() => (tmp = tempDir()));
afterAll(() => tmp.cleanup());
let n = 0;
const file = (name: string) => join(tmp.dir, `${n++}-${name}`);

type Extent = { address: number; blocks: number; kind: string };

/** Newest wins: each record cuts what it overlaps of the older ones, which keep their visible parts. */
function modelMerge(inputs: Extent[][]): Extent[] {
  let index: Extent[] = [];
  for (const records of inputs) {
    for (const r of records) {
      const end = r.address + r.blocks;
      const next: Extent[] = [];
      for (const e of index) {
        const eEnd = e.address + e.blocks;
        if (eEnd <= r.address || e.address >= end) {
          next.push(e);
          continue;
        }
        if (e.address < r.address) next.push({ ...e, blocks: r.address - e.address });
        if (eEnd > end) next.push({ ...e, address: end, blocks: eEnd - end });
      }
      next.push({ address: r.address, blocks: r.blocks, kind: r.kind });
      index = next.sort((a, b) => a.address - b.address);
    }
  }
  return index;
}

const extents = async (wdiff: string): Promise<Extent[]> =>
  (await showWdiff(wdiff)).records.map((r) => ({ address: r.address, blocks: r.blocks, kind: r.kind }));

async function imageAfter(inputs: string[], base: Buffer): Promise<Buffer> {
  const img = file('img');
  writeImage(img, base);
  await applyLogs(inputs, img);
  return readFileSync(img);
}

describe('the streaming merge', () => {
  const base = patternImage(VOLUME * 512);

  it.each([1, 2, 3, 4, 5, 6])('seed %i: gives the records of inserting the inputs whole, oldest first, and the image of applying them', async (seed) => {
    const rand = prng(seed * 7919);
    const count = [2, 3, 5, 8, 12, 24][seed - 1]!;
    const wdiffs: string[] = [];
    for (let i = 0; i < count; i++) {
      // Long IOs in some inputs, short in others: an older input's record often starts inside, or
      // after the start of, a newer input's record that hides it, so it reaches the index later.
      const maxBlocks = i % 2 ? 900 : 24;
      const ios = randomIos(rand, { volumeBlocks: VOLUME, ios: 30 + Math.floor(rand() * 40), maxBlocks, discard: 0.15, zero: 0.1 });
      const wlog = file('m.wlog');
      await writeWlog(wlog, { pbs: 512 }, ios);
      const indexed = i % 4 === 3;
      const wdiff = file(indexed ? 'm.iwdiff' : 'm.wdiff');
      await convertWlog([wlog], wdiff, { indexed, compression: (['none', 'lz4', 'snappy'] as const)[i % 3], maxIoBlocks: i % 5 === 4 ? 64 : 2048 });
      wdiffs.push(wdiff);
    }
    const want = modelMerge(await Promise.all(wdiffs.map(extents)));
    for (const compression of ['none', 'snappy'] as const) {
      const merged = file('merged.wdiff');
      await mergeWdiffs(wdiffs, merged, { compression });
      expect(await extents(merged)).toEqual(want);
      expect((await imageAfter([merged], base)).equals(await imageAfter(wdiffs, base))).toBe(true);
    }
  });

  it('checks a record a later input overwrites whole between records that stay, and fails on its damaged data', async () => {
    const rand = prng(77);
    const write = (address: number, blocks: number): WlogIo => ({ kind: 'write', address, blocks, data: blockData(rand, blocks, 'random') });
    const oldLog = file('old.wlog');
    const newLog = file('new.wlog');
    await writeWlog(oldLog, { pbs: 4096 }, [write(0, 8), write(64, 8), write(128, 8)]);
    await writeWlog(newLog, { pbs: 4096 }, [write(60, 20)]);
    const oldDiff = file('old.wdiff');
    const newDiff = file('new.wdiff');
    await convertWlog([oldLog], oldDiff, { compression: 'none' });
    await convertWlog([newLog], newDiff, { compression: 'none' });
    const hidden = (await showWdiff(oldDiff)).records[1]!;
    expect(hidden.address).toBe(64);
    const bytes = readFileSync(oldDiff);
    bytes[hidden.dataOffset + 100]! ^= 0x40;
    const bad = file('bad.wdiff');
    writeFileSync(bad, bytes);
    const error = await mergeWdiffs([bad, newDiff], file('m.wdiff')).catch((e: unknown) => e);
    expect(error).toMatchObject({ rule: 'record-data-checksum', file: bad, offset: hidden.dataOffset });
    const merged = file('ok.wdiff');
    await mergeWdiffs([oldDiff, newDiff], merged);
    expect((await extents(merged)).map((e) => [e.address, e.blocks])).toEqual([
      [0, 8],
      [60, 20],
      [128, 8],
    ]);
  });
});
