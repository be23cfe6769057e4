/**
 * archive restore --overwrite: onto an existing file or a real loop device, verified, every byte
 * written; never onto a mounted or held device, a file backing a loop device, or the volume's own
 * capture device while captured. The loop-device cases need root and losetup.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { constants, existsSync, mkdirSync, openSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { restore, restoredImages } from '../../../native/lib/archive/index.js';
import { fullBackup, snapshot } from '../../../native/lib/storage/index.js';
import { freshVolume, randomChange, rng, sha1, type Fixture } from './_workload.js';

const canLoop = process.getuid?.() === 0 && spawnSync('losetup', ['--version']).status === 0 && existsSync('/dev/loop-control');

describe('archive restore --overwrite', () => {
  let f: Fixture;
  let want: string;
  const loops: string[] = [];
  beforeAll(async () => {
    f = await freshVolume({ size: 2 << 20, bulkSize: 4096 });
    randomChange(f.device, f.size, rng(9));
    await fullBackup(f.dataDir, f.vol);
    randomChange(f.device, f.size, rng(10));
    await snapshot(f.dataDir, f.vol);
    want = sha1(f.device);
  });
  afterAll(async () => {
    for (const l of loops) spawnSync('losetup', ['-d', l]);
    await rm(f.dir, { recursive: true, force: true });
  });

  it('writes over an existing file only with --overwrite, every byte, and does not list it as the archive\'s', async () => {
    const target = join(f.dir, 'old.img');
    writeFileSync(target, Buffer.alloc(f.size, 0xff));
    await expect(restore(f.dataDir, f.vol, 2, { path: target })).rejects.toThrow(/exists already; .*--overwrite/);
    const r = await restore(f.dataDir, f.vol, 2, { path: target, overwrite: true });
    expect(r.overwrote).toBe('file');
    expect(sha1(target)).toBe(want);
    expect((await restoredImages(f.dataDir, f.vol)).map((x) => x.path)).not.toContain(target);
  });

  it("refuses the volume's own capture device while its storage captures it, and writes nothing", async () => {
    const before = sha1(f.device);
    await expect(restore(f.dataDir, f.vol, 2, { path: f.device, overwrite: true })).rejects.toThrow(/capture device of volume v, whose storage is Target/);
    expect(sha1(f.device)).toBe(before);
  });

  describe.skipIf(!canLoop)('onto a loop device (root)', () => {
    const attach = (file: string) => {
      const dev = execFileSync('losetup', ['-f', '--show', file], { encoding: 'utf8' }).trim();
      loops.push(dev);
      return dev;
    };

    it('restores onto /dev/loopN with progress, verified, and the device then holds the snapshot', async () => {
      const backing = join(f.dir, 'disk.img');
      writeFileSync(backing, Buffer.alloc(f.size, 0xee));
      const dev = attach(backing);
      const phases = new Set<string>();
      const r = await restore(f.dataDir, f.vol, 2, { path: dev, overwrite: true, onProgress: (e) => void phases.add(e.phase) });
      expect(r.overwrote).toBe('block');
      expect(phases.has('write')).toBe(true);
      expect(sha1(dev)).toBe(want);
      // The file behind the device is refused while it backs it.
      await expect(restore(f.dataDir, f.vol, 2, { path: backing, overwrite: true })).rejects.toThrow(`it backs ${dev}`);
    });

    it('refuses a device held open exclusively and one that is mounted, writing nothing', async () => {
      const backing = join(f.dir, 'held.img');
      writeFileSync(backing, Buffer.alloc(f.size, 0xdd));
      const dev = attach(backing);
      const fd = openSync(dev, constants.O_RDONLY | constants.O_EXCL);
      try {
        await expect(restore(f.dataDir, f.vol, 2, { path: dev, overwrite: true })).rejects.toThrow(/held open .*EBUSY/);
      } finally {
        closeSync(fd);
      }
      expect(readFileSync(backing).every((b) => b === 0xdd)).toBe(true);
      if (spawnSync('mkfs.ext4', ['-V']).status !== 0) return;
      const fsFile = join(f.dir, 'fs.img');
      writeFileSync(fsFile, Buffer.alloc(f.size));
      const fsDev = attach(fsFile);
      execFileSync('mkfs.ext4', ['-q', fsDev]);
      const mnt = join(f.dir, 'mnt');
      mkdirSync(mnt);
      execFileSync('mount', [fsDev, mnt]);
      try {
        await expect(restore(f.dataDir, f.vol, 2, { path: fsDev, overwrite: true })).rejects.toThrow(`it is mounted at ${mnt}`);
      } finally {
        execFileSync('umount', [mnt]);
      }
    });
  });
});
