/**
 * One test per rule of each format: flip a byte at a documented offset (resealing the enclosing
 * checksum when the rule is behind it) or truncate at a documented point, and the reader reports the
 * file, the byte offset of the bad structure and the rule. Offsets are those of docs/formats.md.
 */
import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { applyLogs, checksum, convertWlog, mergeWdiffs, verifyFile, WalbFormatError, writeWlog } from '../../native/lib/index.js';
import { WdiffStreamCheck } from '../../native/lib/wdiff-check.js';
import { vectorsDir } from '../helpers/cli.js';
import { edit, reseal, walbChecksum } from './corrupt.js';
import { blockData, prng, randomIos, tempDir, zeroImage } from './helpers.js';

const V = (f: string) => join(vectorsDir, f);
let tmp: ReturnType<typeof tempDir>;
beforeAll(() => (tmp = tempDir()));
afterAll(() => tmp.cleanup());
let n = 0;
const out = () => join(tmp.dir, `bad-${n++}`);

async function expectRule(path: string, rule: string, offset: number): Promise<void> {
  const error = await verifyFile(path).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WalbFormatError);
  expect(error).toMatchObject({ file: path, rule, offset });
  expect((error as Error).message).toContain(`${path}: byte ${offset}`);
}

/**
 * The same rule at the same offset from verifyFile and from the stream check a receiver runs over a
 * sorted wdiff as it arrives (wdiff-check.ts), fed in uneven pieces.
 */
async function expectSortedRule(path: string, rule: string, offset: number): Promise<void> {
  await expectRule(path, rule, offset);
  const bytes = readFileSync(path);
  const check = new WdiffStreamCheck(path, bytes.length);
  for (let at = 0, k = 1; at < bytes.length; at += k, k = k * 3 + 1) check.feed([bytes.subarray(at, at + k)], Math.min(k, bytes.length - at));
  let error: unknown;
  try {
    check.finish();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(WalbFormatError);
  expect(error).toMatchObject({ file: path, rule, offset });
}

describe('the checksum', () => {
  it('matches an independent implementation, with salts and odd tails', () => {
    const rand = prng(9);
    for (const len of [0, 1, 2, 3, 4, 5, 511, 4096, 4099]) {
      const b = Buffer.alloc(len);
      for (let i = 0; i < len; i++) b[i] = Math.floor(rand() * 256);
      for (const salt of [0, 1, 0xdeadbeef]) expect(checksum(b, salt)).toBe(walbChecksum(b, salt));
    }
  });

  it('makes every sealed WalB header sum to zero', () => {
    const wdiff = readFileSync(V('small512.wdiff'));
    expect(walbChecksum(wdiff.subarray(0, 32))).toBe(0);
    expect(walbChecksum(wdiff.subarray(32, 32 + 4096))).toBe(0);
    const wlog = readFileSync(V('small512.wlog'));
    expect(walbChecksum(wlog.subarray(0, 4096))).toBe(0);
    const salt = wlog.readUInt32LE(12);
    expect(walbChecksum(wlog.subarray(4096, 4096 + 512), salt)).toBe(0);
  });
});

describe('wdiff file header (32 bytes at 0)', () => {
  const src = V('small512.wdiff');
  it('truncated below 32 bytes: wdiff-header-short at 0', async () => {
    const p = out();
    edit(src, p, (b) => b.subarray(0, 20));
    await expectSortedRule(p, 'wdiff-header-short', 0);
  });
  it('a flipped uuid byte (16..31): wdiff-header-checksum at 0', async () => {
    const p = out();
    edit(src, p, (b) => void (b[20] ^= 1));
    await expectSortedRule(p, 'wdiff-header-checksum', 0);
  });
  it('version (u16 at 4) other than 2: wdiff-header-version at 4', async () => {
    const p = out();
    edit(src, p, (b) => (b.writeUInt16LE(3, 4), reseal(b, 0, 32, 0)));
    await expectSortedRule(p, 'wdiff-header-version', 4);
  });
  it('type (u8 at 6) other than 0 or 1: wdiff-header-type at 6', async () => {
    const p = out();
    edit(src, p, (b) => ((b[6] = 7), reseal(b, 0, 32, 0)));
    await expectSortedRule(p, 'wdiff-header-type', 6);
  });
});

describe('sorted wdiff packs and records (small512.wdiff: pack block at 32, records at 48 + 32*i, data at 4128)', () => {
  const src = V('small512.wdiff');
  const P = 32;
  const rec = (i: number) => P + 16 + 32 * i;
  const resealPack = (b: Buffer) => reseal(b, P, 4096, 0);

  it('a flipped byte in the pack block: pack-checksum at the block', async () => {
    const p = out();
    edit(src, p, (b) => void (b[P + 1000] ^= 0x10));
    await expectSortedRule(p, 'pack-checksum', P);
  });
  it('truncated inside a pack block: pack-truncated at the block', async () => {
    const p = out();
    edit(src, p, (b) => b.subarray(0, P + 2000));
    await expectSortedRule(p, 'pack-truncated', P);
  });
  it('truncated inside pack data: pack-data-truncated at the end of the file', async () => {
    const p = out();
    edit(src, p, (b) => b.subarray(0, P + 4096 + 100));
    await expectSortedRule(p, 'pack-data-truncated', P + 4096 + 100);
  });
  it('n_records (u16 at 4) above 127: pack-n-records at block+4', async () => {
    const p = out();
    edit(src, p, (b) => (b.writeUInt16LE(200, P + 4), resealPack(b)));
    await expectSortedRule(p, 'pack-n-records', P + 4);
  });
  it('no records in a pack that is not END: pack-empty at block+4', async () => {
    const p = out();
    edit(src, p, (b) => (b.writeUInt16LE(0, P + 4), resealPack(b)));
    await expectSortedRule(p, 'pack-empty', P + 4);
  });
  it('total_size (u32 at 8) above 32 MiB with several records: pack-too-large at block+8', async () => {
    const p = out();
    edit(src, p, (b) => (b.writeUInt32LE(40 << 20, P + 8), resealPack(b)));
    await expectSortedRule(p, 'pack-too-large', P + 8);
  });
  it('io_blocks (u32 at record+8) of 0: record-zero-blocks', async () => {
    const p = out();
    edit(src, p, (b) => (b.writeUInt32LE(0, rec(0) + 8), resealPack(b)));
    await expectSortedRule(p, 'record-zero-blocks', rec(0) + 8);
  });
  it('flags (u8 at record+12) both ALLZERO and DISCARD: record-flags', async () => {
    const p = out();
    edit(src, p, (b) => ((b[rec(2) + 12] = 0x06), resealPack(b)));
    await expectSortedRule(p, 'record-flags', rec(2) + 12);
  });
  it('compression id (u8 at record+13) above 5: record-compression', async () => {
    const p = out();
    edit(src, p, (b) => ((b[rec(1) + 13] = 9), resealPack(b)));
    await expectSortedRule(p, 'record-compression', rec(1) + 13);
  });
  it('data_offset (u32 at record+16) past the pack data: record-data-range', async () => {
    const p = out();
    edit(src, p, (b) => (b.writeUInt32LE(1 << 20, rec(0) + 16), resealPack(b)));
    await expectSortedRule(p, 'record-data-range', rec(0) + 16);
  });
  it('data_size (u32 at record+20) on a DISCARD record: record-data-size', async () => {
    const p = out();
    edit(src, p, (b) => (b.writeUInt32LE(5, rec(2) + 20), resealPack(b)));
    await expectSortedRule(p, 'record-data-size', rec(2) + 20);
  });
  it('a flipped byte of record data: record-data-checksum at the data', async () => {
    const p = out();
    edit(src, p, (b) => void (b[P + 4096 + 10] ^= 0xff));
    await expectSortedRule(p, 'record-data-checksum', P + 4096);
  });
  it('data that does not decompress (checksum fixed): record-decompress at the data, unless decoding is left out', async () => {
    const p = out();
    edit(src, p, (b) => {
      const size = b.readUInt32LE(rec(0) + 20);
      b.fill(0xff, P + 4096, P + 4096 + size);
      b.writeUInt32LE(walbChecksum(b.subarray(P + 4096, P + 4096 + size)), rec(0) + 24);
      resealPack(b);
    });
    await expectRule(p, 'record-decompress', P + 4096);
    // Without decoding (a receiver's check), the sealed bytes pass; a flipped byte still does not.
    await expect(verifyFile(p, { decode: false })).resolves.toMatchObject({ kind: 'sorted-wdiff' });
    const flipped = out();
    edit(src, flipped, (b) => void (b[P + 4096 + 10] ^= 0xff));
    await expect(verifyFile(flipped, { decode: false })).rejects.toMatchObject({ rule: 'record-data-checksum', offset: P + 4096 });
  });
  it('an address (u64 at record+0) before the previous record: record-order', async () => {
    const p = out();
    edit(src, p, (b) => (b.writeBigUInt64LE(0n, rec(1)), resealPack(b)));
    await expectSortedRule(p, 'record-order', rec(1));
  });
  it('an uncompressed record claiming more than 256 MiB: record-too-large', async () => {
    const p = out();
    edit(src, p, (b) => (b.writeUInt32LE(0x7fffffff, rec(0) + 8), resealPack(b)));
    await expectSortedRule(p, 'record-too-large', rec(0) + 8);
  });
  it('bytes after the END pack: trailing-data at the end of END', async () => {
    const p = out();
    const size = statSync(src).size;
    edit(src, p, (b) => Buffer.concat([b, Buffer.alloc(10)]));
    await expectSortedRule(p, 'trailing-data', size);
  });
  it('a file that ends on a pack boundary without END reads as complete data, not as corruption', async () => {
    const p = out();
    edit(src, p, (b) => b.subarray(0, b.length - 4096));
    const r = await verifyFile(p);
    expect(r).toMatchObject({ complete: false, end: 'end-of-file', records: 40 });
  });
});

describe('indexed wdiff index and images (small512.iwdiff)', () => {
  const src = V('small512.iwdiff');
  const b0 = readFileSync(src);
  const size = b0.length;
  const superAt = size - 24;
  const indexAt = Number(b0.readBigUInt64LE(superAt));
  const rec = (i: number) => indexAt + 48 * i;
  const resealRec = (b: Buffer, i: number) => reseal(b, rec(i), 48, 44);

  it('too short for the super: index-super-truncated', async () => {
    const p = out();
    edit(src, p, (b) => b.subarray(0, 40));
    await expectRule(p, 'index-super-truncated', 40);
  });
  it('a flipped byte in the super (last 24 bytes): index-super-checksum at the super', async () => {
    const p = out();
    edit(src, p, (b) => void (b[superAt + 9] ^= 1));
    await expectRule(p, 'index-super-checksum', superAt);
  });
  it('n_records (u32 at super+8) not matching the file size: index-super-range', async () => {
    const p = out();
    edit(src, p, (b) => (b.writeUInt32LE(b.readUInt32LE(superAt + 8) + 1, superAt + 8), reseal(b, superAt, 24, 20)));
    await expectRule(p, 'index-super-range', superAt);
  });
  it('a flipped byte in an index record: index-record-checksum at the record', async () => {
    const p = out();
    edit(src, p, (b) => void (b[rec(3) + 2] ^= 1));
    await expectRule(p, 'index-record-checksum', rec(3));
  });
  it('io_offset (u32 at record+28) past the image: index-record-io-range', async () => {
    const p = out();
    edit(src, p, (b) => (b.writeUInt32LE(1000000, rec(0) + 28), resealRec(b, 0)));
    await expectRule(p, 'index-record-io-range', rec(0) + 28);
  });
  it('data_offset (u64 at record+16) inside the index: record-data-range', async () => {
    const p = out();
    edit(src, p, (b) => (b.writeBigUInt64LE(BigInt(indexAt), rec(0) + 16), resealRec(b, 0)));
    await expectRule(p, 'record-data-range', rec(0) + 16);
  });
  it('records out of address order: record-order', async () => {
    const p = out();
    edit(src, p, (b) => (b.writeBigUInt64LE(0n, rec(1)), resealRec(b, 1)));
    await expectRule(p, 'record-order', rec(1));
  });
  it('a flipped byte inside an image: record-data-checksum at the image', async () => {
    const p = out();
    const dataOffset = Number(b0.readBigUInt64LE(rec(0) + 16));
    edit(src, p, (b) => void (b[dataOffset + 3] ^= 0x40));
    await expectRule(p, 'record-data-checksum', dataOffset);
  });
});

describe('wlog header (4096 bytes at 0)', () => {
  const src = V('small512.wlog');
  const resealHeader = (b: Buffer) => reseal(b, 0, 4096, 8);
  it('shorter than 4096 bytes: wlog-header-short at 0', async () => {
    const p = out();
    edit(src, p, (b) => b.subarray(0, 100));
    await expectRule(p, 'wlog-header-short', 0);
  });
  it('a flipped uuid byte: wlog-header-checksum at 8', async () => {
    const p = out();
    edit(src, p, (b) => void (b[30] ^= 1));
    await expectRule(p, 'wlog-header-checksum', 8);
  });
  it.each([
    ['wlog-header-version', 2, (b: Buffer) => b.writeUInt16LE(3, 2)],
    ['wlog-header-lbs', 16, (b: Buffer) => b.writeUInt32LE(4096, 16)],
    ['wlog-header-pbs', 20, (b: Buffer) => b.writeUInt32LE(1024, 20)],
    ['wlog-header-lsids', 48, (b: Buffer) => b.writeBigUInt64LE(0n, 40) && b.writeBigUInt64LE(0n, 48) && b.writeBigUInt64LE(5n, 40)],
  ] as const)('%s at byte %i (checksum resealed)', async (rule, offset, change) => {
    const p = out();
    edit(src, p, (b) => (change(b), resealHeader(b)));
    await expectRule(p, rule, offset);
  });
});

describe('wlog logpacks (generated at pbs 4096 with three packs)', () => {
  const pbs = 4096;
  const salt = 0x5a5a1234;
  let wlog: string;
  let packs: number[];
  beforeAll(async () => {
    wlog = join(tmp.dir, 'three.wlog');
    const data = (k: number) => Buffer.alloc(8 * 512, k);
    await writeWlog(wlog, { pbs, salt }, [
      { kind: 'write', address: 0, blocks: 8, data: data(1) },
      { kind: 'flush', address: 0, blocks: 0 },
      { kind: 'write', address: 8, blocks: 8, data: data(2) },
      { kind: 'flush', address: 0, blocks: 0 },
      { kind: 'write', address: 16, blocks: 8, data: data(3) },
    ]);
    packs = [4096, 4096 + 2 * pbs, 4096 + 4 * pbs]; // each pack: header block + one data block
  });

  it('a flipped byte in a middle logpack header: logpack-checksum at the pack (valid data follows)', async () => {
    const p = out();
    edit(wlog, p, (b) => void (b[packs[1]! + 300] ^= 1));
    await expectRule(p, 'logpack-checksum', packs[1]!);
  });
  it('a wrong logpack_lsid (u64 at pack+8) in the middle: logpack-lsid at pack+8', async () => {
    const p = out();
    edit(wlog, p, (b) => (b.writeBigUInt64LE(99n, packs[1]! + 8), reseal(b, packs[1]!, pbs, 0, salt)));
    await expectRule(p, 'logpack-lsid', packs[1]! + 8);
  });
  it('a record whose data lies past total_io_size in the middle: log-record-range at record+16', async () => {
    const p = out();
    edit(wlog, p, (b) => (b.writeUInt32LE(64, packs[1]! + 24 + 16), reseal(b, packs[1]!, pbs, 0, salt)));
    await expectRule(p, 'log-record-range', packs[1]! + 24 + 16);
  });
  it('a flipped byte of logged data in the middle: log-io-checksum at the data', async () => {
    const p = out();
    edit(wlog, p, (b) => void (b[packs[0]! + pbs + 7] ^= 1));
    await expectRule(p, 'log-io-checksum', packs[0]! + pbs);
  });
  it('truncated in the data of the last pack: a torn tail, read as the end', async () => {
    const p = out();
    edit(wlog, p, (b) => b.subarray(0, packs[2]! + pbs + 100));
    const r = await verifyFile(p);
    expect(r).toMatchObject({ end: 'torn-tail', endOffset: packs[2], records: 2, complete: false });
  });
  it('a torn write of the last IO (bad data checksum, nothing after): a torn tail, read as the end', async () => {
    const p = out();
    edit(wlog, p, (b) => b.fill(0, packs[2]! + pbs, b.length));
    const r = await verifyFile(p);
    expect(r).toMatchObject({ end: 'torn-tail', endOffset: packs[2]! + pbs, records: 2 });
  });
  it('applies only the IOs before a torn tail', async () => {
    const p = out();
    edit(wlog, p, (b) => b.subarray(0, packs[2]! + 10));
    const img = out();
    writeFileSync(img, zeroImage(64 * 512));
    await applyLogs([p], img);
    const got = readFileSync(img);
    expect(got.subarray(0, 8 * 512).every((x) => x === 1)).toBe(true);
    expect(got.subarray(8 * 512, 16 * 512).every((x) => x === 2)).toBe(true);
    expect(got.subarray(16 * 512, 24 * 512).every((x) => x === 0)).toBe(true);
  });
});

describe('inputs that are not WalB files, and targets too small', () => {
  it('a file that is neither wlog nor wdiff: unknown-format at 0', async () => {
    const p = out();
    writeFileSync(p, Buffer.from('hello, not a wdiff at all; '.repeat(10)));
    await expectRule(p, 'unknown-format', 0);
  });
  it.each(['a4k.wdiff', 'a4k.iwdiff', 'a4k.wlog'])('%s onto a target too small: target-range naming the input, nothing written', async (f) => {
    const img = out();
    const before = Buffer.alloc(1 << 20, 0x5a);
    writeFileSync(img, before);
    const error = await applyLogs([V(f)], img).catch((e: unknown) => e);
    expect(error).toMatchObject({ rule: 'target-range', file: V(f) });
    expect((error as { offset: number }).offset).toBeGreaterThan(0);
    expect(readFileSync(img).equals(before)).toBe(true);
  });
  it('a record a later input overwrites whole is still checksummed: the merge fails on its damaged data', async () => {
    const rand = prng(16);
    const dir = tempDir();
    try {
      const d = (f: string) => join(dir.dir, f);
      for (const name of ['old', 'new']) {
        await writeWlog(d(`${name}.wlog`), { pbs: 4096 }, [{ kind: 'write', address: 64, blocks: 8, data: blockData(rand, 8, 'random') }]);
        await convertWlog([d(`${name}.wlog`)], d(`${name}.wdiff`), { compression: 'none' });
      }
      const data = 32 + 4096; // after the file header and the one pack's header block
      edit(d('old.wdiff'), d('bad.wdiff'), (b) => void (b[data + 10] ^= 0xff));
      await expectRule(d('bad.wdiff'), 'record-data-checksum', data);
      const error = await mergeWdiffs([d('bad.wdiff'), d('new.wdiff')], d('m.wdiff')).catch((e: unknown) => e);
      expect(error).toMatchObject({ rule: 'record-data-checksum', file: d('bad.wdiff'), offset: data });
      const merged = await mergeWdiffs([d('old.wdiff'), d('new.wdiff')], d('m.wdiff'));
      expect(merged.stats.records).toBe(1);
    } finally {
      dir.cleanup();
    }
  });
  it('a corrupt input in a merge leaves no output and no temporary file', async () => {
    const bad = out();
    edit(V('b4k.wdiff'), bad, (b) => void (b[5000] ^= 1));
    const dir = tempDir();
    try {
      const target = join(dir.dir, 'merged.wdiff');
      await expect(mergeWdiffs([V('a4k.wdiff'), bad], target)).rejects.toBeInstanceOf(WalbFormatError);
      const { readdirSync } = await import('node:fs');
      expect(readdirSync(dir.dir)).toEqual([]);
    } finally {
      dir.cleanup();
    }
  });
  it('a failed conversion leaves an existing output untouched', async () => {
    const target = out();
    writeFileSync(target, 'previous');
    const bad = out();
    edit(V('a4k.wlog'), bad, (b) => void (b[30] ^= 1));
    await expect(convertWlog([bad], target)).rejects.toMatchObject({ rule: 'wlog-header-checksum' });
    expect(readFileSync(target, 'utf8')).toBe('previous');
  });
});

describe('random damage never crashes the reader', () => {
  it.each(['small512.wdiff', 'small512.iwdiff', 'small512.zstd.wdiff', 'a4k.wlog'])('%s with 150 random byte flips and truncations', async (f) => {
    const orig = readFileSync(V(f));
    const rand = prng(f.length * 7919);
    for (let i = 0; i < 150; i++) {
      const b = Buffer.from(orig);
      const flips = 1 + Math.floor(rand() * 4);
      for (let k = 0; k < flips; k++) b[Math.floor(rand() * b.length)] ^= 1 << Math.floor(rand() * 8);
      const cut = rand() < 0.3 ? Math.floor(rand() * b.length) : b.length;
      const p = join(tmp.dir, 'fuzz-case');
      writeFileSync(p, b.subarray(0, cut));
      await verifyFile(p).catch((e: unknown) => {
        if (!(e instanceof WalbFormatError)) throw e;
      });
    }
  });

  it('random IO sequences written, damaged and reread only ever fail with format errors', async () => {
    const rand = prng(4242);
    const p = join(tmp.dir, 'r.wlog');
    await writeWlog(p, { pbs: 512 }, randomIos(rand, { volumeBlocks: 512, ios: 30, maxBlocks: 16, discard: 0.2, padding: 0.1 }));
    const orig = readFileSync(p);
    for (let i = 0; i < 100; i++) {
      const b = Buffer.from(orig);
      b[4096 + Math.floor(rand() * (b.length - 4096))] ^= 0x80;
      const q = join(tmp.dir, 'r2.wlog');
      writeFileSync(q, b);
      await verifyFile(q).catch((e: unknown) => {
        if (!(e instanceof WalbFormatError)) throw e;
      });
      copyFileSync(q, join(tmp.dir, 'last.wlog'));
    }
  });
});
