/**
 * A storage volume whose archive is on another host: full backup, snapshots and a hash backup go
 * over the wire (TLS) through the storage's own operations, and every restorable gid on the remote
 * archive restores to the bytes the volume had at that gid.
 */
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { initArchiveVolume, restorable, restore } from '../../../native/lib/archive/index.js';
import { fullBackup, hashBackup, initVolume, observeStorage, snapshot, storagePaths } from '../../../native/lib/storage/index.js';
import type { ArchiveTarget } from '../../../native/lib/storage/archive-target.js';
import { remoteArchive, type WireServer } from '../../../native/lib/wire/index.js';
import { randomChange, rng, sha1 } from '../archive/_workload.js';
import { client, makePki, serve } from './_fleet.js';

describe('a storage volume archived on another host', () => {
  const dir = mkdtempSync(join(tmpdir(), 'walbctl-wire-remote-'));
  const db1 = join(dir, 'db-1');
  const ar1 = join(dir, 'ar-1');
  const device = join(dir, 'v.img');
  const size = 8 << 20;
  const sums = new Map<number, string>();
  let server: WireServer;
  let archive: ArchiveTarget;

  beforeAll(async () => {
    const pki = await makePki(['db-1', 'ar-1'], join(dir, 'pki'));
    let peer;
    ({ server, peer } = await serve(pki, 'ar-1', { address: '127.0.0.12', dataDir: ar1 }));
    archive = remoteArchive({ client: client(pki, 'db-1'), peer, dataDir: db1, checkpointBytes: 2 << 20, retry: { attempts: 3, firstDelayMs: 100 } });
    await initVolume(db1, 'v', { devicePath: device, sizeBytes: size, bulkSize: 65536 });
    await initArchiveVolume(ar1, 'v');
    const r = rng(21);
    for (let i = 0; i < 60; i++) randomChange(device, size, r);
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('lands a full backup on the remote archive and moves the storage to Target', async () => {
    const events: string[] = [];
    const r = await fullBackup(db1, 'v', { archive, onProgress: (e) => events.push(e.phase) });
    expect(r.snap).toEqual({ b: 0, e: 1 });
    expect(events).toContain('send');
    expect(await observeStorage(db1, 'v')).toMatchObject({ state: 'Target', latestGid: 1 });
  });

  it('sends each snapshot’s changed bulks; each gid restores on the remote to the volume’s sha1', async () => {
    const r = rng(22);
    for (let k = 0; k < 3; k++) {
      for (let i = 0; i < 8; i++) randomChange(device, size, r);
      const s = await snapshot(db1, 'v', { archive });
      sums.set(s.gid, sha1(device));
    }
    expect((await restorable(ar1, 'v')).map((x) => x.gid)).toEqual([...sums.keys()]);
    for (const [gid, sum] of sums) expect(sha1((await restore(ar1, 'v', gid, { path: join(dir, `r${gid}.img`) })).path)).toBe(sum);
  });

  it('recovers a lost index with a hash backup that sends only the bulks that differ', async () => {
    await rm(storagePaths(db1, 'v').index);
    const r = rng(23);
    for (let i = 0; i < 4; i++) randomChange(device, size, r);
    const h = await hashBackup(db1, 'v', { archive });
    expect(h.changedBytes).toBeLessThan(size / 4);
    const out = await restore(ar1, 'v', h.gid, { path: join(dir, 'rh.img') });
    expect(sha1(out.path)).toBe(sha1(device));
  });
});
