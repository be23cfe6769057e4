/**
 * A wdiff whose records are compressed already goes on the wire as it is; one written without
 * compression is compressed by the wire (diff-codec.ts reads the first pack headers).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { convertWlog, writeWlog } from '../../../../native/lib/index.js';
import { wdiffRecordsCompressed } from '../../../../native/lib/wire/transfers/diff-codec.js';
import { blockData, prng, tempDir } from '../../helpers.js';

describe('whether a diff goes on the wire as it is', () => {
  const dir = tempDir();
  const d = (f: string): string => join(dir.dir, f);
  afterAll(() => dir.cleanup());

  async function wdiff(name: string, compression: 'lz4' | 'zstd' | 'none'): Promise<string> {
    const rand = prng(7);
    const ios = Array.from({ length: 40 }, (_, i) => ({ kind: 'write' as const, address: i * 64, blocks: 16, data: blockData(rand, 16, 'runs') }));
    await writeWlog(d(`${name}.wlog`), { pbs: 4096 }, ios);
    await convertWlog([d(`${name}.wlog`)], d(`${name}.wdiff`), { compression });
    return d(`${name}.wdiff`);
  }

  it('says compressed for a wdiff of lz4 or zstd records', async () => {
    expect(await wdiffRecordsCompressed(await wdiff('lz4', 'lz4'))).toBe(true);
    expect(await wdiffRecordsCompressed(await wdiff('zstd', 'zstd'))).toBe(true);
  });

  it('says not compressed for a wdiff written without compression, an empty file or a file that is not a sorted wdiff', async () => {
    expect(await wdiffRecordsCompressed(await wdiff('raw', 'none'))).toBe(false);
    writeFileSync(d('empty'), '');
    expect(await wdiffRecordsCompressed(d('empty'))).toBe(false);
    writeFileSync(d('junk'), Buffer.alloc(8192, 1));
    expect(await wdiffRecordsCompressed(d('junk'))).toBe(false);
  });
});
