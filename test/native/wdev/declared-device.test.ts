// A wdev put over a device that already holds data — a plain file, and a loop device — keeps that
// data, serves it, writes on into the device itself, and its first backup is a full backup of it:
// the archive restores the device's bytes. The log lives on a ring of its own.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { restore } from '../../../native/lib/archive/restore.js';
import { backupWdev, snapshotWdev } from '../../../native/lib/wdev/capture.js';
import { createWdev } from '../../../native/lib/wdev/create.js';
import { wdevPaths } from '../../../native/lib/wdev/paths.js';
import { serveWdev } from '../../../native/lib/wdev/serve.js';
import { stopWdev } from '../../../native/lib/wdev/stop.js';
import { Scratch, sha1, wdevSkipReason, writeAndSync } from './fixture.js';

const SIZE = 4 << 20;
const skip = wdevSkipReason('losetup');

describe.skipIf(skip)('a wdev over a device that holds data', () => {
  const s = new Scratch('declared');
  const loops: string[] = [];
  afterAll(() => {
    s.cleanup();
    for (const l of loops) spawnSync('losetup', ['-d', l], { stdio: 'ignore' });
  }, 120_000);

  /** Captures `ddev` (holding `data`), backs it up, writes through the wdev, snapshots, restores both. */
  async function capture(vol: string, ddev: string, data: Buffer, read: () => Buffer): Promise<void> {
    s.volume(vol);
    const ring = join(s.dir, `${vol}.ring`);
    const c = await createWdev(s.dataDir, vol, { sizeBytes: SIZE, ringBytes: 4 << 20, ddev, ldev: ring });
    expect(c).toMatchObject({ ddevPath: ddev, ldevPath: ring });
    const p = wdevPaths(s.dataDir, vol);
    expect(lstatSync(p.ddev).isSymbolicLink()).toBe(true);
    expect(sha1(read())).toBe(sha1(data)); // create wrote nothing on the data device
    await serveWdev(s.dataDir, vol);
    expect(sha1(readFileSync(p.file))).toBe(sha1(data));

    const full = await backupWdev(s.dataDir, vol);
    expect(full.kind).toBe('full');
    const base = join(s.dir, `${vol}-base.img`);
    await restore(s.dataDir, vol, full.gid, { path: base });
    expect(sha1(readFileSync(base))).toBe(sha1(data));

    writeAndSync(p.file, 8192, 4096, 0xab);
    const snap = await snapshotWdev(s.dataDir, vol, { explicit: true });
    await stopWdev(s.dataDir, vol);
    const now = read();
    expect(now.subarray(8192, 8192 + 4096).every((b) => b === 0xab)).toBe(true); // written into the device itself
    const img = join(s.dir, `${vol}-snap.img`);
    await restore(s.dataDir, vol, snap!.gid, { path: img });
    expect(sha1(readFileSync(img))).toBe(sha1(now));
    expect(existsSync(join(p.dir, 'ddev'))).toBe(true);
  }

  it('keeps the data of a plain file and backs it up in full first', { timeout: 120_000 }, async () => {
    const file = join(s.dir, 'existing.img');
    const data = randomBytes(SIZE);
    writeFileSync(file, data);
    await capture('onfile', file, data, () => readFileSync(file));
  });

  it('keeps the data of a loop device and backs it up in full first', { timeout: 120_000 }, async () => {
    const backing = join(s.dir, 'loop-backing.img');
    const data = randomBytes(SIZE);
    writeFileSync(backing, data);
    const loop = execFileSync('losetup', ['--find', '--show', backing], { encoding: 'utf8' }).trim();
    loops.push(loop);
    const read = () => {
      execFileSync('blockdev', ['--flushbufs', loop]);
      return readFileSync(loop);
    };
    await capture('onloop', loop, data, read);
  });

  it('refuses a data device smaller than the volume, and leaves it as it was', async () => {
    const file = join(s.dir, 'small.img');
    writeFileSync(file, 'small');
    await expect(createWdev(s.dataDir, 'small', { sizeBytes: SIZE, ddev: file })).rejects.toThrow(`${file}: holds 5 bytes, less than the volume's ${SIZE}: the data device is never grown`);
    expect(readFileSync(file, 'utf8')).toBe('small');
  });
});
