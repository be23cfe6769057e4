import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { initArchiveVolume, listArchiveVolumes } from '../../../native/lib/archive/index.js';
import { initVolume, listStorageVolumes } from '../../../native/lib/storage/index.js';

describe('listing the volumes of a data directory', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'walbctl-list-'));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('is empty when the data directory holds no archive or storage folder yet', async () => {
    expect(await listArchiveVolumes(dataDir)).toEqual([]);
    expect(await listStorageVolumes(dataDir)).toEqual([]);
  });

  it('names every archive volume, sorted, and skips folders that are not volume names', async () => {
    await initArchiveVolume(dataDir, 'web');
    await initArchiveVolume(dataDir, 'db');
    await mkdir(join(dataDir, 'archive', '.tmp-x'), { recursive: true });
    expect(await listArchiveVolumes(dataDir)).toEqual(['db', 'web']);
  });

  it('names every storage volume', async () => {
    const device = join(dataDir, 'vol.img');
    await writeFile(device, Buffer.alloc(1 << 20));
    await initVolume(dataDir, 'pg', { devicePath: device, sizeBytes: 1 << 20 });
    expect(await listStorageVolumes(dataDir)).toEqual(['pg']);
  });
});
