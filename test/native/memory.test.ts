/**
 * The data path's memory does not pile up: a process converting and merging one batch after another
 * (what a proxy does all day) hands the large buffers back between operations. Measured in a child
 * process that only loads the addon (its peak RSS, VmHWM, is the figure; nothing here is timed).
 * Before the addon fixed glibc's mmap threshold, each conversion of 1 MiB writes left ~40 MiB in a
 * worker thread's arena: eight of them grew a process by ~400 MiB it never gave back.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { packageRoot } from '../../native/lib/load.js';
import { writeWlog } from '../../native/lib/index.js';
import { tempDir } from './helpers.js';

const MiB = 2 ** 20;
const BATCHES = 8;
const BATCH = 24 * MiB;
const DEVICE = 512 * MiB;

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => (tmp = tempDir('walbctl-memory-')));
afterAll(() => tmp.cleanup());

// The child: convert every wlog (each on a libuv worker thread), then merge the wdiffs; print the
// peak RSS before and after, and the anonymous RSS at the end, in MiB.
const CHILD = `
import { readFileSync } from 'node:fs';
const lib = await import(process.argv[1]);
const [dir, n] = [process.argv[2], Number(process.argv[3])];
const field = (f) => Number(new RegExp(f + ':\\\\s+(\\\\d+) kB').exec(readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;
const before = field('VmHWM');
const outs = [];
for (let i = 0; i < n; i++) {
  outs.push(dir + '/b' + i + '.wdiff');
  await lib.convertWlog([dir + '/b' + i + '.wlog'], outs[i], { compression: 'lz4' });
}
await lib.mergeWdiffs(outs.slice(0, n / 2), dir + '/m1.wdiff', { compression: 'lz4' });
await lib.mergeWdiffs(outs.slice(n / 2), dir + '/m2.wdiff', { compression: 'lz4' });
console.log(JSON.stringify({ before, after: field('VmHWM'), anon: field('RssAnon') }));
`;

describe('the data path in a long-running process', () => {
  it('keeps its peak RSS within a few pack buffers while it converts and merges batch after batch of 1 MiB writes', async () => {
    let lsid = 0;
    const uuid = randomBytes(16);
    for (let i = 0; i < BATCHES; i++) {
      const data = randomBytes(BATCH); // incompressible: every record keeps its 1 MiB
      const ios = [];
      for (let k = 0; k < BATCH / MiB; k++) {
        ios.push({ kind: 'write' as const, address: ((k * 7 + i * 3) % (DEVICE / MiB)) * 2048, blocks: 2048, data: data.subarray(k * MiB, (k + 1) * MiB) });
      }
      lsid = (await writeWlog(join(tmp.dir, `b${i}.wlog`), { pbs: 4096, salt: 7, uuid, beginLsid: lsid }, ios)).endLsid;
    }
    const lib = join(packageRoot(), 'dist/native/lib/index.js');
    const { MALLOC_MMAP_THRESHOLD_: _set, ...env } = process.env; // the addon's own policy, not an override
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', CHILD, lib, tmp.dir, String(BATCHES)], { encoding: 'utf8', env });
    const r = JSON.parse(out.trim().split('\n').pop()!) as { before: number; after: number; anon: number };
    // 8 conversions and 2 merges of 96 MiB each: one pack (8 MiB), the direct sink's chunks (16 MiB),
    // a record's buffers, mapped input in 4 MiB releases — well under 100 MiB at any moment.
    expect(r.after - r.before, JSON.stringify(r)).toBeLessThan(100);
  });
});
