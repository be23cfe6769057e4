/**
 * The stream check of a sorted wdiff (native/lib/wdiff-check.ts), which a wire receiver runs over a
 * diff's bytes as they arrive instead of reading the file back: fed in random pieces (runs of zeros
 * as zero counts, as the wire's zero frames are), it must say what verifyFile(decode: false) says of
 * the same bytes — the same packs, records and end on a sound file, the same rule at the same byte
 * offset on a damaged one. Randomised over logs, compressions, piece sizes and damage.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { convertWlog, mergeWdiffs, verifyFile, WalbFormatError, writeWlog, type CompressionName } from '../../native/lib/index.js';
import { WdiffStreamCheck } from '../../native/lib/wdiff-check.js';
import { vectorsDir } from '../helpers/cli.js';
import { prng, randomIos, tempDir } from './helpers.js';

let tmp: ReturnType<typeof tempDir>;
let files: string[];
beforeAll(async () => {
  tmp = tempDir();
  files = await corpus();
});
afterAll(() => tmp.cleanup());

type Outcome = { ok: true; packs: number; records: number; complete: boolean; endOffset: number } | { ok: false; rule: string; offset: number; file: string };

async function byVerify(path: string): Promise<Outcome> {
  try {
    const r = await verifyFile(path, { decode: false });
    return { ok: true, packs: r.packs, records: r.records, complete: r.complete, endOffset: r.endOffset };
  } catch (e) {
    if (!(e instanceof WalbFormatError)) throw e;
    return { ok: false, rule: e.rule, offset: e.offset, file: e.file };
  }
}

const ZEROS = Buffer.alloc(300_001);

/** Feeds `bytes` in random pieces; a piece of zeros goes as a count half the time. */
function byStream(path: string, bytes: Buffer, rand: () => number): Outcome {
  const check = new WdiffStreamCheck(path, bytes.length);
  for (let at = 0; at < bytes.length; ) {
    const k = Math.min(bytes.length - at, 1 + Math.floor(rand() ** 3 * 300_000));
    const piece = bytes.subarray(at, at + k);
    if (rand() < 0.5 && piece.equals(ZEROS.subarray(0, k))) check.feed(null, k);
    else if (rand() < 0.3 && k > 1) check.feed([piece.subarray(0, k >> 1), piece.subarray(k >> 1)], k);
    else check.feed([piece], k);
    at += k;
  }
  try {
    const r = check.finish();
    expect(r.checked).toBe(true);
    return { ok: true, packs: r.packs, records: r.records, complete: r.complete, endOffset: r.endOffset };
  } catch (e) {
    if (!(e instanceof WalbFormatError)) throw e;
    return { ok: false, rule: e.rule, offset: e.offset, file: e.file };
  }
}

/** Sorted wdiffs of random logs in every codec (several packs each), merges of them, and WalB's own. */
async function corpus(): Promise<string[]> {
  const files: string[] = [];
  const codecs: CompressionName[] = ['none', 'lz4', 'zstd', 'snappy', 'gzip', 'lzma'];
  for (let seed = 1; seed <= 6; seed++) {
    const rand = prng(7100 + seed);
    const ios = randomIos(rand, { volumeBlocks: 1 << 15, ios: 500, maxBlocks: seed % 2 ? 64 : 600, discard: 0.1, zero: 0.1, padding: 0.02, flush: 0.05 });
    const wlog = join(tmp.dir, `s${seed}.wlog`);
    await writeWlog(wlog, { pbs: seed % 3 === 0 ? 512 : 4096 }, ios);
    const wdiff = join(tmp.dir, `s${seed}.wdiff`);
    await convertWlog([wlog], wdiff, { compression: codecs[seed - 1]!, maxIoBlocks: seed % 2 ? 2048 : 16 });
    files.push(wdiff);
  }
  const merged = join(tmp.dir, 'merged.wdiff');
  await mergeWdiffs(files.slice(0, 3), merged, { compression: 'zstd' });
  files.push(merged);
  for (const v of ['small512.wdiff', 'small512.none.wdiff', 'small512.zstd.wdiff', 'small512.gzip.wdiff', 'a4k.wdiff', 'b4k.wdiff', 'ab4k.merged.wdiff']) files.push(join(vectorsDir, v));
  return files;
}

describe('the stream check of a sorted wdiff', () => {
  it('says what verifyFile says of sound files, whatever the pieces they arrive in', async () => {
    const rand = prng(71);
    let packs = 0;
    for (const f of files) {
      const bytes = readFileSync(f);
      const want = await byVerify(f);
      expect(want.ok, f).toBe(true);
      if (want.ok) packs += want.packs;
      for (let round = 0; round < 4; round++) expect(byStream(f, bytes, rand), `${f} round ${round}`).toEqual(want);
    }
    // The corpus is not trivial: many packs, so records and pieces cross pack boundaries.
    expect(packs).toBeGreaterThan(files.length * 2);
  });

  it('finds the same fault at the same byte offset as verifyFile in 300 damaged files', async () => {
    const rand = prng(72);
    const counts = { trials: 0, flip: 0, truncate: 0, append: 0, refused: 0, passed: 0 };
    for (let t = 0; t < 300; t++) {
      const src = readFileSync(files[Math.floor(rand() * files.length)]!);
      let bytes: Buffer;
      const kind = rand();
      if (kind < 0.7) {
        bytes = Buffer.from(src);
        const at = Math.floor(rand() * bytes.length);
        bytes[at] ^= 1 << Math.floor(rand() * 8);
        counts.flip++;
      } else if (kind < 0.9) {
        bytes = src.subarray(0, Math.floor(rand() * src.length));
        counts.truncate++;
      } else {
        bytes = Buffer.concat([src, Buffer.alloc(1 + Math.floor(rand() * 5000), rand() < 0.5 ? 0 : 7)]);
        counts.append++;
      }
      const path = join(tmp.dir, `damaged-${t}.wdiff`);
      writeFileSync(path, bytes);
      const want = await byVerify(path);
      expect(byStream(path, bytes, rand), `trial ${t}`).toEqual(want);
      counts.trials++;
      if (want.ok) counts.passed++;
      else counts.refused++;
    }
    // Most damage is refused (a flip in the unused tail of a pack block or between records is not).
    expect(counts.refused).toBeGreaterThan(counts.trials * 0.6);
    console.log(`stream check vs verifyFile: ${JSON.stringify(counts)}`);
  });

  it('leaves an indexed wdiff to verifyFile, and refuses a file it was fed short', () => {
    const iw = join(vectorsDir, 'small512.iwdiff');
    const bytes = readFileSync(iw);
    const check = new WdiffStreamCheck(iw, bytes.length);
    check.feed([bytes], bytes.length);
    expect(check.finish()).toMatchObject({ checked: false });
    const w = join(vectorsDir, 'small512.wdiff');
    const sorted = readFileSync(w);
    const short = new WdiffStreamCheck(w, sorted.length);
    short.feed([sorted.subarray(0, 5000)], 5000);
    expect(() => short.finish()).toThrow(/saw 5000 of the file's/);
  });
});
