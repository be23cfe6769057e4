/**
 * The data path works off the JS thread: while a conversion runs, timers keep firing; arguments are
 * checked in TypeScript before anything runs.
 */
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { applyLogs, convertWlog, mergeWdiffs, writeWlog } from '../../native/lib/index.js';
import { blockData, prng, tempDir } from './helpers.js';

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => (tmp = tempDir()));
afterAll(() => tmp.cleanup());

describe('the event loop during an operation', () => {
  it('keeps running timers while a 64 MiB wlog converts', async () => {
    const rand = prng(1);
    const ios = Array.from({ length: 64 }, (_, i) => ({ kind: 'write' as const, address: i * 2048, blocks: 2048, data: blockData(rand, 2048, i % 2 ? 'runs' : 'random') }));
    const wlog = join(tmp.dir, 'big.wlog');
    await writeWlog(wlog, { pbs: 4096 }, ios);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    let settled = false;
    const run = convertWlog([wlog], join(tmp.dir, 'big.wdiff'), { compression: 'zstd' }).finally(() => (settled = true));
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    await run;
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(0);
  });
});

describe('argument checks', () => {
  it('rejects an empty input list, an unknown compression and a bad maxIoBlocks before running', async () => {
    await expect(convertWlog([], 'x')).rejects.toThrow(/at least one file/);
    await expect(convertWlog(['a'], 'x', { compression: 'brotli' as never })).rejects.toThrow(/unknown compression/);
    await expect(convertWlog(['a'], 'x', { maxIoBlocks: 0 })).rejects.toThrow(/maxIoBlocks/);
    await expect(mergeWdiffs(['a'], 'x', { uuid: 'nothex' })).rejects.toThrow(/uuid/);
    await expect(applyLogs(['a'], 'x', { discard: 'trim' as never })).rejects.toThrow(/discard/);
  });
  it('reports a missing input as a NativeIoError with ENOENT and the path', async () => {
    await expect(applyLogs([join(tmp.dir, 'missing.wdiff')], 'x')).rejects.toMatchObject({ name: 'NativeIoError', code: 'ENOENT', file: join(tmp.dir, 'missing.wdiff') });
  });
});
