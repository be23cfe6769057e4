/**
 * Every expectation of ../shared/vectors/walb/README.md: WalB's own files read, verified, converted,
 * merged and applied exactly as WalB does.
 */
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { applyLogs, convertWlog, mergeWdiffs, showWdiff, showWlog, verifyFile, wdiffStats } from '../../native/lib/index.js';
import { vectorsDir } from '../helpers/cli.js';
import { patternImage, sha1, tempDir, writeImage, zeroImage } from './helpers.js';

const V = (f: string) => join(vectorsDir, f);
const small512Diffs = ['small512.wdiff', 'small512.iwdiff', 'small512.none.wdiff', 'small512.gzip.wdiff', 'small512.snappy.wdiff', 'small512.lzma.wdiff', 'small512.lz4.wdiff', 'small512.zstd.wdiff'];

const expected: Record<'zero' | 'pattern', { small: string; ab: string }> = {
  zero: { small: '6b2c64de19bc0aa867a9110d3f04a487e3f08bd0', ab: '854cb3258f392ea4ab7118eb5e95096cadc53785' },
  pattern: { small: '5e91d47901961f163bda5ea5693102ca5a70ea42', ab: 'd9109dd5536aa9579c6b8fac9d7b9d5c89c3672b' },
};

let tmp: ReturnType<typeof tempDir>;
const bases: Record<string, string> = {};
beforeAll(() => {
  tmp = tempDir();
  bases.zero = join(tmp.dir, 'zero.img');
  bases.pattern = join(tmp.dir, 'pattern.img');
  writeImage(bases.zero, zeroImage());
  writeImage(bases.pattern, patternImage());
});
afterAll(() => tmp.cleanup());

let n = 0;
async function applied(base: 'zero' | 'pattern', files: string[]): Promise<string> {
  const img = join(tmp.dir, `img-${n++}`);
  copyFileSync(bases[base]!, img);
  await applyLogs(files.map(V), img);
  return sha1(readFileSync(img));
}

describe('the base images', () => {
  it('are the ones the README names', () => {
    expect(sha1(zeroImage())).toBe('2bccbd2f38f15c13eb7d5a89fd9d85f595e23bc3');
    expect(sha1(patternImage())).toBe('81ffdeb5e04610d41a629e1694a41e394e994025');
  });
});

describe('reading WalB files', () => {
  it.each(['small512.wlog', 'a4k.wlog', 'b4k.wlog', 'a4k.wdiff', 'b4k.wdiff', 'a4k.iwdiff', 'ab4k.merged.wdiff', ...small512Diffs])(
    'verifies %s completely',
    async (f) => {
      const r = await verifyFile(V(f));
      expect(r.complete).toBe(true);
      expect(r.records).toBeGreaterThan(0);
    },
  );

  it('reports small512.wdiff statistics as the README gives them', async () => {
    const s = await wdiffStats(V('small512.wdiff'));
    expect(s.normal).toEqual({ records: 32, blocks: 943 });
    expect(s.allZero).toEqual({ records: 1, blocks: 21 });
    expect(s.discard).toEqual({ records: 7, blocks: 194 });
    expect(s.dataBytes).toBe(24664);
  });

  it('reads the same records from small512.wdiff in every compression', async () => {
    const ref = (await showWdiff(V('small512.wdiff'))).records.map((r) => [r.address, r.blocks, r.kind]);
    for (const f of small512Diffs.filter((x) => x !== 'small512.iwdiff')) {
      expect((await showWdiff(V(f))).records.map((r) => [r.address, r.blocks, r.kind])).toEqual(ref);
    }
    const comps = new Set<string>();
    for (const f of small512Diffs) for (const r of (await showWdiff(V(f))).records) comps.add(r.compression);
    expect([...comps].sort()).toEqual(['gzip', 'lz4', 'lzma', 'none', 'snappy', 'zstd']);
  });

  it('reads small512.wlog with padding, discard and all-zero IOs at pbs 512', async () => {
    const w = await showWlog(V('small512.wlog'));
    expect(w.header.pbs).toBe(512);
    expect(w.totals.paddings).toBeGreaterThan(0);
    expect(w.totals.discards).toBe(7);
    expect(w.end.reason).toBe('end-block');
  });

  it('reads a4k.wlog and b4k.wlog as consecutive logs of one device at pbs 4096', async () => {
    const a = await showWlog(V('a4k.wlog'));
    const b = await showWlog(V('b4k.wlog'));
    expect(a.header.pbs).toBe(4096);
    expect(a.end.lsid).toBe('162');
    expect(b.header.beginLsid).toBe('162');
    expect(b.header.uuid).toBe(a.header.uuid);
  });
});

describe('converting WalB wlogs', () => {
  it.each([
    ['small512.wlog', 'small512.wdiff', false],
    ['small512.wlog', 'small512.iwdiff', true],
    ['a4k.wlog', 'a4k.wdiff', false],
    ['a4k.wlog', 'a4k.iwdiff', true],
    ['b4k.wlog', 'b4k.wdiff', false],
  ] as const)('turns %s into the bytes of WalB\'s %s (snappy)', async (wlog, wdiff, indexed) => {
    const out = join(tmp.dir, `conv-${wdiff}`);
    await convertWlog([V(wlog)], out, { compression: 'snappy', indexed });
    expect(readFileSync(out).equals(readFileSync(V(wdiff)))).toBe(true);
  });

  it('turns a4k.wlog + b4k.wlog as one stream into the merged bytes after the header', async () => {
    const out = join(tmp.dir, 'conv-ab.wdiff');
    await convertWlog([V('a4k.wlog'), V('b4k.wlog')], out, { compression: 'snappy' });
    expect(readFileSync(out).subarray(32).equals(readFileSync(V('ab4k.merged.wdiff')).subarray(32))).toBe(true);
  });

  it.each(['zero', 'pattern'] as const)('gives the expected image on %s when each conversion is applied', async (base) => {
    for (const indexed of [false, true]) {
      for (const compression of ['none', 'lz4', 'zstd', 'snappy', 'gzip', 'lzma'] as const) {
        const small = join(tmp.dir, `c-small-${indexed}-${compression}`);
        await convertWlog([V('small512.wlog')], small, { compression, indexed });
        const img = join(tmp.dir, `img-c-${n++}`);
        copyFileSync(bases[base]!, img);
        await applyLogs([small], img);
        expect(sha1(readFileSync(img))).toBe(expected[base].small);
      }
      const ab = join(tmp.dir, `c-ab-${indexed}`);
      await convertWlog([V('a4k.wlog'), V('b4k.wlog')], ab, { indexed });
      const img = join(tmp.dir, `img-c-${n++}`);
      copyFileSync(bases[base]!, img);
      await applyLogs([ab], img);
      expect(sha1(readFileSync(img))).toBe(expected[base].ab);
    }
  });
});

describe('merging WalB wdiffs', () => {
  it('gives bytes identical to ab4k.merged.wdiff after the 32-byte header when written with snappy', async () => {
    const out = join(tmp.dir, 'merged.wdiff');
    await mergeWdiffs([V('a4k.wdiff'), V('b4k.wdiff')], out, { compression: 'snappy' });
    const ours = readFileSync(out);
    const walb = readFileSync(V('ab4k.merged.wdiff'));
    expect(ours.length).toBe(walb.length);
    expect(ours.subarray(32).equals(walb.subarray(32))).toBe(true);
  });

  it('gives the same bytes when the older input is the indexed a4k.iwdiff', async () => {
    const out = join(tmp.dir, 'merged-i.wdiff');
    await mergeWdiffs([V('a4k.iwdiff'), V('b4k.wdiff')], out, { compression: 'snappy' });
    expect(readFileSync(out).subarray(32).equals(readFileSync(V('ab4k.merged.wdiff')).subarray(32))).toBe(true);
  });
});

describe('applying WalB files', () => {
  const cases: Array<[string[], 'small' | 'ab']> = [
    [['small512.wlog'], 'small'],
    ...small512Diffs.map((f): [string[], 'small'] => [[f], 'small']),
    [['a4k.wlog', 'b4k.wlog'], 'ab'],
    [['a4k.wdiff', 'b4k.wdiff'], 'ab'],
    [['a4k.iwdiff', 'b4k.wdiff'], 'ab'],
    [['ab4k.merged.wdiff'], 'ab'],
  ];
  for (const base of ['zero', 'pattern'] as const) {
    it.each(cases)(`onto ${base}: %j gives the README's sha1`, async (files, which) => {
      expect(await applied(base, files)).toBe(expected[base][which]);
    });
  }
});
