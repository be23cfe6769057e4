/**
 * A hash backup to a remote archive (scan capture, over TLS) is resumable and seeded per run: the
 * archive hashes its image with a seed the storage chose for this run (each run another), and a
 * storage process killed with SIGKILL while its diff is on the wire finishes the same hash backup
 * when run again — the diff resumes from the archive's last checkpoint instead of starting over,
 * no second hash backup is made, and the archive's new gid restores to the volume's sha1.
 */
import { mkdtempSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { checkHashIndex } from '../../../native/lib/archive/addon.js';
import { initArchiveVolume, observeArchive, restore } from '../../../native/lib/archive/index.js';
import { fullBackup, hashBackup, initVolume, observeStorage, storageMeta, storagePaths } from '../../../native/lib/storage/index.js';
import { fetchHashIndex, listPartials, remoteArchive, type WirePeer, type WireServer } from '../../../native/lib/wire/index.js';
import { spawnPeer } from '../../../native/lib/wire/testing/spawn-peer.js';
import { rng, sha1, writeAt } from '../archive/_workload.js';
import { client, makePki, serve, type Pki } from './_fleet.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('a hash backup to a remote archive', () => {
  const dir = mkdtempSync(join(tmpdir(), 'walbctl-wire-hash-'));
  const db1 = join(dir, 'db-1');
  const ar1 = join(dir, 'ar-1');
  const device = join(dir, 'v.img');
  const size = 16 << 20;
  const checkpointBytes = 1 << 20;
  let pki: Pki;
  let server: WireServer;
  let peer: WirePeer;

  beforeAll(async () => {
    pki = await makePki(['db-1', 'ar-1'], join(dir, 'pki'));
    ({ server, peer } = await serve(pki, 'ar-1', { address: '127.0.0.12', dataDir: ar1 }));
    await initVolume(db1, 'v', { devicePath: device, sizeBytes: size, bulkSize: 65536 });
    await initArchiveVolume(ar1, 'v');
    const r = rng(31);
    const b = Buffer.alloc(size / 2);
    for (let i = 0; i < b.length; i++) b[i] = (r.next() * 256) | 0;
    writeAt(device, 0, b);
    writeAt(device, size - 1, Buffer.alloc(1));
    await fullBackup(db1, 'v', { archive: remoteArchive({ client: client(pki, 'db-1'), peer, dataDir: db1 }) });
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('has the archive hash its image with a seed chosen for each run, recorded in the index', async () => {
    const c = client(pki, 'db-1');
    const meta = (await storageMeta(db1, 'v'))!;
    const seeds: string[] = [];
    for (let i = 0; i < 2; i++) {
      const indexOut = join(dir, `fetched-${i}.index`);
      await fetchHashIndex(c, peer, { volume: 'v', dataDir: db1, uuid: meta.uuid, sizeBytes: size, bulkSize: 65536, indexOut });
      seeds.push((await checkHashIndex(indexOut)).seed);
    }
    expect(seeds[0]).not.toBe('0000000000000000');
    expect(seeds[1]).not.toBe(seeds[0]);
  });

  it('resumes after the storage is killed with SIGKILL mid-diff, and lands exactly one hash backup', { timeout: 90_000 }, async () => {
    // The index is lost (overflow), then 6 MiB of random data changes: the diff is ~6 MiB.
    await rm(storagePaths(db1, 'v').index);
    const r = rng(32);
    const chunk = Buffer.alloc(3 << 20);
    for (const at of [1 << 20, 10 << 20]) {
      for (let i = 0; i < chunk.length; i++) chunk[i] = (r.next() * 256) | 0;
      writeAt(device, at, chunk);
    }
    expect(await observeStorage(db1, 'v')).toMatchObject({ overflow: true });
    const before = (await observeArchive(ar1, 'v'))!.diffs.length;

    const child = spawnPeer({ role: 'storage', op: 'hash-backup', host: 'db-1', peer, tls: pki.tls('db-1'), dataDir: db1, volume: 'v', rate: 1 << 20, checkpointBytes });
    // The diff's partial (wire/partial/diff-v.<its span>/, one per diff).
    const t0 = Date.now();
    let offset = 0;
    while (Date.now() - t0 < 60_000 && child.child.exitCode === null) {
      offset = (await listPartials(ar1)).find((p) => p.kind === 'diff' && p.volume === 'v')?.offset ?? 0;
      if (offset >= 2 * checkpointBytes) break;
      await sleep(50);
    }
    expect(offset, 'the diff reached two checkpoints before the kill').toBeGreaterThanOrEqual(2 * checkpointBytes);
    child.child.kill('SIGKILL');
    expect(await child.exited).toBeNull();

    const pending = (await storageMeta(db1, 'v'))!.pending;
    expect(pending).toMatchObject({ op: 'hash-backup' });
    const diffSize = statSync((pending as { diffTmp: string }).diffTmp).size;
    expect(diffSize).toBeGreaterThan(5 << 20);

    const c = client(pki, 'db-1');
    const h = await hashBackup(db1, 'v', { archive: remoteArchive({ client: c, peer, dataDir: db1, checkpointBytes }) });
    expect(h.finished).toBe(`hash-backup of gid ${(pending as { gid: number }).gid}`);
    expect(h.gid).toBe((pending as { gid: number }).gid);
    // Only what the archive had not fsynced went again (plus frame headers and the status calls).
    const sent = c.metrics.snapshot().find((l) => l.peer === 'ar-1')!.bytesSent;
    expect(sent).toBeLessThan(diffSize - offset + (256 << 10));
    expect(await observeStorage(db1, 'v')).toMatchObject({ overflow: false, state: 'Target', latestGid: h.gid });

    const a = (await observeArchive(ar1, 'v'))!;
    expect(a.diffs.length).toBe(before + 1);
    expect(a.diffs.at(-1)).toMatchObject({ compared: true, e: { b: h.gid, e: h.gid } });
    expect(await listPartials(ar1)).toEqual([]);
    const out = await restore(ar1, 'v', h.gid, { path: join(dir, 'restored.img') });
    expect(sha1(out.path)).toBe(sha1(device));
  });
});
