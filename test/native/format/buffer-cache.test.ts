/**
 * The writers' pack buffers are kept between one conversion or merge and the next
 * (native/src/format/buffer_cache.h), and a reused buffer's old bytes never reach an output: a
 * conversion made after others in this process writes the same file, byte for byte, as the same
 * conversion in a fresh process whose buffers are all new.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { addon } from '../../../native/lib/data-path.js';
import { packageRoot } from '../../../native/lib/load.js';
import { convertWlog, mergeWdiffs, writeWlog } from '../../../native/lib/index.js';
import { tempDir } from '../helpers.js';

const MiB = 2 ** 20;
let tmp: ReturnType<typeof tempDir>;
beforeAll(() => (tmp = tempDir('walbctl-buffer-cache-')));
afterAll(() => tmp.cleanup());

const sha1 = (path: string) => createHash('sha1').update(readFileSync(path)).digest('hex');

/** A wlog of `n` writes of `blocks` sectors: random bytes (stored as they are) and runs of one byte (compressed). */
async function wlogOf(path: string, seed: number, n: number, blocks: number, beginLsid = 0): Promise<number> {
  const ios = [];
  for (let i = 0; i < n; i++) {
    const data = i % 3 === 0 ? Buffer.alloc(blocks * 512, (seed * 31 + i) & 0xff) : randomBytes(blocks * 512);
    ios.push({ kind: 'write' as const, address: ((i * 13 + seed * 5) % 512) * blocks, blocks, data });
  }
  return (await writeWlog(path, { pbs: 4096, salt: 3, uuid: Buffer.alloc(16, 9), beginLsid }, ios)).endLsid;
}

describe('the writers\' kept pack buffers', () => {
  it('are kept after a conversion, at most four of them, and give the same bytes as new ones', async () => {
    const d = tmp.dir;
    // A: 1 MiB writes (a pack buffer of 8 MiB), B: 64 KiB writes, C: 4 KiB writes.
    const endA = await wlogOf(join(d, 'a.wlog'), 1, 24, 2048);
    const endB = await wlogOf(join(d, 'b.wlog'), 2, 200, 128, endA);
    await wlogOf(join(d, 'c.wlog'), 3, 3000, 8, endB);
    for (const x of ['a', 'b', 'c']) await convertWlog([join(d, `${x}.wlog`)], join(d, `${x}.wdiff`), { compression: 'lz4' });
    const kept = addon().cachedBuffers();
    expect(kept).toBeGreaterThanOrEqual(1);
    expect(kept).toBeLessThanOrEqual(4);
    await mergeWdiffs(['a', 'b', 'c'].map((x) => join(d, `${x}.wdiff`)), join(d, 'abc.wdiff'), { compression: 'lz4' });
    // C again, and the merge again, now with buffers that held A's and B's data.
    await convertWlog([join(d, 'c.wlog')], join(d, 'c2.wdiff'), { compression: 'lz4' });
    await mergeWdiffs(['a', 'b', 'c'].map((x) => join(d, `${x}.wdiff`)), join(d, 'abc2.wdiff'), { compression: 'lz4' });
    expect(addon().cachedBuffers()).toBeLessThanOrEqual(4);

    // The same conversion and merge in a process of its own, where no buffer was used before.
    const lib = join(packageRoot(), 'dist/native/lib/index.js');
    const child = `
      const lib = await import(process.argv[1]);
      const d = process.argv[2];
      await lib.convertWlog([d + '/c.wlog'], d + '/c-fresh.wdiff', { compression: 'lz4' });
      await lib.mergeWdiffs(['a', 'b', 'c'].map((x) => d + '/' + x + '.wdiff'), d + '/abc-fresh.wdiff', { compression: 'lz4' });
    `;
    execFileSync(process.execPath, ['--input-type=module', '-e', child, lib, d], { stdio: 'pipe' });
    expect(sha1(join(d, 'c2.wdiff'))).toBe(sha1(join(d, 'c-fresh.wdiff')));
    expect(sha1(join(d, 'c.wdiff'))).toBe(sha1(join(d, 'c-fresh.wdiff')));
    expect(sha1(join(d, 'abc2.wdiff'))).toBe(sha1(join(d, 'abc-fresh.wdiff')));
    expect(sha1(join(d, 'abc.wdiff'))).toBe(sha1(join(d, 'abc-fresh.wdiff')));
  });
});
