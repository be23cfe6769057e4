/**
 * The storage side in scan capture: WalB's storage states, refusals in the wrong state, the uuid
 * made at init and carried in every wdiff header, a lost or damaged hash index (overflow).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { archivePaths, listDiffs, restore, WrongStateError } from '../../../native/lib/archive/index.js';
import { StateError } from '../../../common/errors.js';
import {
  clearVolume,
  fullBackup,
  hashBackup,
  initVolume,
  observeStorage,
  resetVolume,
  snapshot,
  startVolume,
  stopVolume,
  storagePaths,
} from '../../../native/lib/storage/index.js';
import { freshVolume, sha1, writeAt, type Fixture } from '../archive/_workload.js';

describe('a storage volume in scan capture', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await freshVolume({ size: 1 << 20, bulkSize: 4096 });
  });
  afterAll(async () => {
    await rm(f.dir, { recursive: true, force: true });
  });

  it('is SyncReady after init, with a uuid of 32 hex digits, and refuses a second init', async () => {
    const s = await observeStorage(f.dataDir, f.vol);
    expect(s).toMatchObject({ state: 'SyncReady', capture: 'scan', sizeBytes: 1 << 20, latestGid: null, overflow: false });
    expect(s!.uuid).toMatch(/^[0-9a-f]{32}$/);
    await expect(initVolume(f.dataDir, f.vol, { devicePath: f.device })).rejects.toThrow('v: cannot init in state SyncReady (allowed in: Clear)');
  });

  it('refuses a snapshot before a full backup', async () => {
    await expect(snapshot(f.dataDir, f.vol)).rejects.toBeInstanceOf(WrongStateError);
  });

  it('goes to Target with a full backup and carries its uuid in every wdiff header', async () => {
    writeAt(f.device, 4096, Buffer.alloc(4096, 9));
    await fullBackup(f.dataDir, f.vol);
    writeAt(f.device, 8192, Buffer.alloc(100, 7));
    await snapshot(f.dataDir, f.vol);
    const s = await observeStorage(f.dataDir, f.vol);
    expect(s).toMatchObject({ state: 'Target', latestGid: 2 });
    for (const d of await listDiffs(f.dataDir, f.vol)) {
      const header = readFileSync(join(archivePaths(f.dataDir, f.vol).dir, d.file)).subarray(16, 32);
      expect(header.toString('hex')).toBe(s!.uuid);
    }
  });

  it('moves Target → Stopped → Target, refusing snapshots while Stopped, reset only from Stopped, clear only from SyncReady', async () => {
    await expect(resetVolume(f.dataDir, f.vol)).rejects.toThrow('cannot reset in state Target');
    await stopVolume(f.dataDir, f.vol);
    await expect(snapshot(f.dataDir, f.vol)).rejects.toThrow('cannot snapshot in state Stopped');
    await expect(clearVolume(f.dataDir, f.vol)).rejects.toThrow('cannot clear in state Stopped');
    await startVolume(f.dataDir, f.vol);
    expect((await observeStorage(f.dataDir, f.vol))!.state).toBe('Target');
  });

  it('reports a lost hash index as overflow, refuses snapshots, and recovers with a hash backup', async () => {
    await rm(storagePaths(f.dataDir, f.vol).index);
    expect((await observeStorage(f.dataDir, f.vol))!.overflow).toBe(true);
    await expect(snapshot(f.dataDir, f.vol)).rejects.toThrow(/hash index .* lost.*hash backup/);
    writeAt(f.device, 50_000, Buffer.alloc(3000, 3));
    const hb = await hashBackup(f.dataDir, f.vol);
    expect(hb.file).toMatch(/--C-2-3\.wdiff$/);
    expect((await observeStorage(f.dataDir, f.vol))!.overflow).toBe(false);
    const r = await restore(f.dataDir, f.vol, hb.gid, { path: join(f.dir, 'hb.img') });
    expect(sha1(r.path)).toBe(sha1(f.device));
  });

  it('refuses a snapshot over a damaged hash index and asks for a hash backup', async () => {
    const index = storagePaths(f.dataDir, f.vol).index;
    const bytes = readFileSync(index);
    bytes[70] ^= 0xff;
    writeFileSync(index, bytes);
    const error = await snapshot(f.dataDir, f.vol).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateError);
    expect((error as Error).message).toMatch(/hash index checksum mismatch.*run a hash backup/);
    await hashBackup(f.dataDir, f.vol);
    await snapshot(f.dataDir, f.vol);
  });

  it('goes back to SyncReady with reset and to Clear with clear, leaving the volume’s data alone', async () => {
    const before = sha1(f.device);
    await stopVolume(f.dataDir, f.vol);
    await resetVolume(f.dataDir, f.vol);
    await clearVolume(f.dataDir, f.vol);
    expect(await observeStorage(f.dataDir, f.vol)).toBeUndefined();
    expect(sha1(f.device)).toBe(before);
  });
});
