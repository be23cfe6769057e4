/**
 * A full disk fails the operation cleanly: one clear error, the archive as it was, no temporary
 * file left, no metadata pointing at a partial file; the same command succeeds once there is room.
 * The archive (or the restore target) lives on a small tmpfs that fills up. Root only.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { NoSpaceError, initArchiveVolume, observeArchive, restore, archivePaths, verifyArchive, archiveMeta } from '../../../native/lib/archive/index.js';
import { fullBackup, initVolume, observeStorage, snapshot } from '../../../native/lib/storage/index.js';
import { rng, sha1, writeAt } from './_workload.js';
import { mountSkipReason, mountTmpfs, type Mounted } from './_mount.js';

const skip = mountSkipReason();
if (skip) console.warn(`full-disk tests skipped: ${skip}`);

function randomBytes(n: number, seed: number): Buffer {
  const r = rng(seed);
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (r.next() * 256) | 0;
  return b;
}

describe.skipIf(skip)('a full disk', () => {
  let m: Mounted;
  let dir: string;
  const vol = 'v';
  let device: string;
  let storageDir: string;

  beforeEach(async () => {
    m = mountTmpfs(6 << 20);
    dir = mkdtempSync(join(tmpdir(), 'walbctl-full-'));
    device = join(dir, 'v.img');
    storageDir = join(dir, 'data');
    await initVolume(storageDir, vol, { devicePath: device, sizeBytes: 16 << 20 });
    await initArchiveVolume(m.dir, vol);
  });
  afterEach(async () => {
    m.unmount();
    await rm(dir, { recursive: true, force: true });
  });

  it('fails a full backup with NoSpaceError, leaves the archive SyncReady with no partial base, and a re-run succeeds once there is room', async () => {
    writeAt(device, 0, randomBytes(8 << 20, 1));
    await expect(fullBackup(storageDir, vol, { archiveDataDir: m.dir })).rejects.toBeInstanceOf(NoSpaceError);
    expect((await observeArchive(m.dir, vol))!.state).toBe('SyncReady');
    expect(readdirSync(archivePaths(m.dir, vol).dir).sort()).toEqual(['meta.json']);
    expect((await observeStorage(storageDir, vol))!.state).toBe('SyncReady');
    m.remount(`size=${64 << 20}`);
    await fullBackup(storageDir, vol, { archiveDataDir: m.dir });
    expect((await observeArchive(m.dir, vol))!.state).toBe('Archived');
  });

  it('fails a snapshot whose diff does not fit, keeps the diff list, and the re-run finishes it', async () => {
    writeAt(device, 0, randomBytes(1 << 20, 2));
    await fullBackup(storageDir, vol, { archiveDataDir: m.dir });
    writeAt(device, 4 << 20, randomBytes(6 << 20, 3));
    const expected = sha1(device);
    await expect(snapshot(storageDir, vol, { archiveDataDir: m.dir })).rejects.toBeInstanceOf(NoSpaceError);
    const a = await observeArchive(m.dir, vol);
    expect(a!.diffs).toEqual([]);
    expect(readdirSync(archivePaths(m.dir, vol).dir).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
    m.remount(`size=${64 << 20}`);
    const r = await snapshot(storageDir, vol, { archiveDataDir: m.dir });
    expect(r.finished).toBe('snapshot of gid 2');
    const out = await restore(m.dir, vol, 2, { path: join(dir, 'r2.img') });
    expect(sha1(out.path)).toBe(expected);
    expect((await verifyArchive(m.dir, vol)).ok).toBe(true);
  });

  it('fails a restore onto a full disk with no file left and nothing listed', async () => {
    const archiveDir = join(dir, 'archive-data');
    await initArchiveVolume(archiveDir, 'w');
    await initVolume(storageDir, 'w', { devicePath: join(dir, 'w.img'), sizeBytes: 16 << 20 });
    writeAt(join(dir, 'w.img'), 0, randomBytes(10 << 20, 4));
    await fullBackup(storageDir, 'w', { archiveDataDir: archiveDir });
    await snapshot(storageDir, 'w', { archiveDataDir: archiveDir });
    const path = join(m.dir, 'restored.img');
    await expect(restore(archiveDir, 'w', 2, { path })).rejects.toBeInstanceOf(NoSpaceError);
    expect(readdirSync(m.dir).filter((n) => n !== 'archive')).toEqual([]);
    const meta = await archiveMeta(archiveDir, 'w');
    expect(meta!.restored).toEqual([]);
    expect(meta!.restoring).toEqual([]);
  });
});
