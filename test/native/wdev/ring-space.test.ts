// The log ring's space: taken when the ldev is formatted, and kept when start-up clears the free ring
// (so no stale pack past the recovered end can pass for the next one): zeroed in place, not punched,
// so the next lap's log writes overwrite blocks instead of allocating them.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createWdev } from '../../../native/lib/wdev/create.js';
import { wdevPaths } from '../../../native/lib/wdev/paths.js';
import { serveWdev } from '../../../native/lib/wdev/serve.js';
import { wdevStatus } from '../../../native/lib/wdev/status.js';
import { stopWdev } from '../../../native/lib/wdev/stop.js';
import { readAt, Scratch, wdevSkipReason, writeAndSync } from './fixture.js';

const RING = 4 << 20;
const RING_OFFSET = 8192; // design.md: reserved 4096 + super 4096, then the ring



const allocatedBytes = (file: string): number => statSync(file).blocks * 512;

const skip = wdevSkipReason();

describe.skipIf(skip)('the log ring of a wdev', () => {
  const s = new Scratch('ring');
  beforeAll(() => {
    for (const v of ['fresh', 'restart']) s.volume(v);
  });
  afterAll(() => s.cleanup(), 120_000);

  it('has all its space allocated once formatted', { timeout: 60_000 }, async () => {
    await createWdev(s.dataDir, 'fresh', { sizeBytes: 8 << 20, ringBytes: RING });
    expect(allocatedBytes(wdevPaths(s.dataDir, 'fresh').ldev)).toBeGreaterThanOrEqual(RING);
  });

  it('refuses a ring its file system has no room for, naming the ring, and leaves nothing behind', { timeout: 60_000 }, async () => {
    const small = join(s.dir, 'small');
    mkdirSync(small);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', small]);
    s.mount(small);
    const dataDir = join(small, 'data');
    const error = await createWdev(dataDir, 'big', { sizeBytes: 4 << 20, ringBytes: 64 << 20 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/cannot allocate the 67108864-byte log ring: No space left on device/);
    const p = wdevPaths(dataDir, 'big');
    expect([existsSync(p.ddev), existsSync(p.ldev), existsSync(p.config)]).toEqual([false, false, false]);
    // Nothing left to refuse a retry with a ring that fits.
    await createWdev(dataDir, 'big', { sizeBytes: 4 << 20, ringBytes: 4 << 20 });
    expect(allocatedBytes(p.ldev)).toBeGreaterThanOrEqual(4 << 20);
  });

  it('reads as zeros past the recovered end after a restart and keeps its blocks', { timeout: 60_000 }, async () => {
    await createWdev(s.dataDir, 'restart', { sizeBytes: 8 << 20, ringBytes: RING });
    const p = wdevPaths(s.dataDir, 'restart');
    await serveWdev(s.dataDir, 'restart');
    writeAndSync(p.file, 0, 64 << 10, 0x11);
    await stopWdev(s.dataDir, 'restart');
    const end = (await wdevStatus(s.dataDir, 'restart')).latestLsid;
    expect(end).toBeGreaterThan(0);
    // Stale bytes in the free ring, as a previous lap or a torn tail leaves them.
    const at = RING_OFFSET + (end % (RING / 4096)) * 4096;
    const stale = Math.min(256 << 10, RING_OFFSET + RING - at);
    writeAndSync(p.ldev, at, stale, 0xab);
    const before = allocatedBytes(p.ldev);

    await serveWdev(s.dataDir, 'restart');
    await stopWdev(s.dataDir, 'restart');

    expect(readAt(p.ldev, at, stale).equals(Buffer.alloc(stale))).toBe(true);
    expect(allocatedBytes(p.ldev)).toBeGreaterThanOrEqual(before);
    expect(allocatedBytes(p.ldev)).toBeGreaterThanOrEqual(RING);
    // The log before the end is still there: the data written before the restart reads back.
    await serveWdev(s.dataDir, 'restart');
    expect(readAt(p.file, 0, 64 << 10).equals(Buffer.alloc(64 << 10, 0x11))).toBe(true);
    await stopWdev(s.dataDir, 'restart');
  });
});
