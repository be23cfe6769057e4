/**
 * A volume that is a block device (a loop device over a file): full backup, snapshots and restores
 * read it through the device, whose size comes from the kernel. Root only.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { initArchiveVolume, restore } from '../../../native/lib/archive/index.js';
import { fullBackup, initVolume, observeStorage, snapshot } from '../../../native/lib/storage/index.js';
import { sha1, writeAt } from '../archive/_workload.js';

const skip = process.getuid?.() !== 0 ? 'needs root for a loop device' : spawnSync('sh', ['-c', 'command -v losetup']).status !== 0 ? 'needs losetup (util-linux)' : null;
if (skip) console.warn(`block-device tests skipped: ${skip}`);

describe.skipIf(skip)('a volume on a block device', () => {
  const dir = mkdtempSync(join(tmpdir(), 'walbctl-blockdev-'));
  const file = join(dir, 'backing.img');
  let dev = '';

  beforeAll(() => {
    writeFileSync(file, '');
    truncateSync(file, 4 << 20);
    const r = spawnSync('losetup', ['--find', '--show', file], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`losetup: ${r.stderr}`);
    dev = r.stdout.trim();
  });
  afterAll(() => {
    if (dev) spawnSync('losetup', ['-d', dev]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes its size from the device and restores each snapshot to the device’s bytes', async () => {
    const dataDir = join(dir, 'data');
    await initVolume(dataDir, 'bd', { devicePath: dev });
    await initArchiveVolume(dataDir, 'bd');
    expect((await observeStorage(dataDir, 'bd'))!.sizeBytes).toBe(4 << 20);
    writeAt(dev, 0, Buffer.alloc(65536, 1));
    await fullBackup(dataDir, 'bd');
    const expected = new Map<number, string>();
    for (let i = 0; i < 3; i++) {
      writeAt(dev, 100_000 * (i + 1), Buffer.alloc(20_000, 10 + i));
      const s = await snapshot(dataDir, 'bd');
      expected.set(s.gid, sha1(dev));
    }
    for (const [gid, sha] of expected) {
      const r = await restore(dataDir, 'bd', gid, { path: join(dir, `r${gid}.img`) });
      expect(sha1(r.path)).toBe(sha);
    }
  });
});
