/**
 * Archive → archive replication over the wire (TLS, certificates made at test time): a source
 * archive fed by a storage on its host replicates to an archive on another "host" (its own data
 * directory and wire server on 127.0.0.13): full first, then diffs, then a diff the source merged
 * across the target's gid, then — after the source applied past the target — a hash replication; every restorable gid on the target restores to the sha1 the
 * volume had at that gid.
 */
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { applyUpTo, archivePaths, initArchiveVolume, listDiffs, merge, observeArchive, readReplicaCursors, restorable, restore } from '../../../native/lib/archive/index.js';
import { showWdiff } from '../../../native/lib/index.js';
import { replicateArchive } from '../../../native/lib/replicate/replicate.js';
import { fullBackup, initVolume, snapshot } from '../../../native/lib/storage/index.js';
import type { WireClient, WirePeer, WireServer } from '../../../native/lib/wire/index.js';
import { TokenBucket } from '../../../native/lib/wire/stream/token-bucket.js';
import { randomChange, rng, sha1, writeAt } from '../archive/_workload.js';
import { client, makePki, serve } from '../wire/_fleet.js';

describe('replicating an archive to an archive on another host', () => {
  const dir = mkdtempSync(join(tmpdir(), 'walbctl-repl-'));
  const db1 = join(dir, 'db-1');
  const ar1 = join(dir, 'ar-1');
  const ar2 = join(dir, 'ar-2');
  const device = join(dir, 'v.img');
  const size = 8 << 20;
  const sums = new Map<number, string>();
  const r = rng(31);
  let server: WireServer;
  let peer: WirePeer;
  let wire: WireClient;
  const replicate = () => replicateArchive({ client: wire, peer, dataDir: ar1, volume: 'v', checkpointBytes: 1 << 20 });

  async function snapshots(n: number, explicit = true): Promise<void> {
    for (let k = 0; k < n; k++) {
      for (let i = 0; i < 6; i++) randomChange(device, size, r);
      const s = await snapshot(db1, 'v', { archiveDataDir: ar1, explicit });
      sums.set(s.gid, sha1(device));
    }
  }

  async function everyGidMatches(): Promise<number[]> {
    const gids = (await restorable(ar2, 'v')).map((x) => x.gid).filter((g) => sums.has(g));
    for (const gid of gids) expect(sha1((await restore(ar2, 'v', gid, { path: join(dir, `ar2-${gid}.img`) })).path), `gid ${gid}`).toBe(sums.get(gid));
    return gids;
  }

  beforeAll(async () => {
    const pki = await makePki(['ar-1', 'ar-2'], join(dir, 'pki'));
    ({ server, peer } = await serve(pki, 'ar-2', { address: '127.0.0.13', dataDir: ar2 }));
    wire = client(pki, 'ar-1');
    await initVolume(db1, 'v', { devicePath: device, sizeBytes: size, bulkSize: 65536 });
    await initArchiveVolume(ar1, 'v');
    await initArchiveVolume(ar2, 'v');
    for (let i = 0; i < 40; i++) randomChange(device, size, r);
    await fullBackup(db1, 'v', { archiveDataDir: ar1 });
    await snapshots(2);
  }, 60_000);
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('sends a full replication to a target that holds nothing — the base as it is, then the diffs from it — and moves the cursor', async () => {
    const res = await replicate();
    const newest = Math.max(...sums.keys());
    // The base (dirty, right after the storage's full backup) and the two explicit snapshots' diffs.
    expect(res).toMatchObject({ kind: 'full', fromGid: null, toGid: newest, sent: 3 });
    expect((await readReplicaCursors(ar1, 'v'))['ar-2']).toMatchObject({ gid: newest, lastKind: 'full', lastError: null });
    expect(await everyGidMatches()).toEqual([...sums.keys()].sort((a, b) => a - b));
  });

  it('sends the diffs after the target gid once the source has more snapshots, each explicit one kept restorable', async () => {
    const before = Math.max(...sums.keys());
    await snapshots(3);
    const res = await replicate();
    expect(res).toMatchObject({ kind: 'diff', fromGid: before, toGid: Math.max(...sums.keys()), sent: 3, already: 0 });
    expect((await everyGidMatches()).length).toBe(5);
  });

  it('merges the diffs of implicit snapshots in transfer, within the count limit, never across an explicit one', async () => {
    const before = Math.max(...sums.keys());
    await snapshots(4, false);
    await snapshots(1);
    await snapshots(2, false);
    const newest = Math.max(...sums.keys());
    const res = await replicateArchive({ client: wire, peer, dataDir: ar1, volume: 'v', checkpointBytes: 1 << 20, merge: { maxMergeCount: 3 } });
    // 7 diffs: [3 implicit] [1 implicit + the explicit one's] — the explicit end is a barrier — [2 implicit].
    expect(res).toMatchObject({ kind: 'diff', fromGid: before, toGid: newest, sent: 3, already: 0 });
    const target = (await observeArchive(ar2, 'v'))!;
    expect(target.diffs.filter((d) => d.b.b >= before).map((d) => d.e.b - d.b.b > 1)).toEqual([true, true, true]);
    const gids = await everyGidMatches();
    expect(gids).toContain(newest);
    expect(gids.filter((g) => g > before)).toHaveLength(3);
  });

  it('keeps within the pair’s bandwidth limit, and writes the diffs it merges in transfer with the pair’s compression', async () => {
    const before = Math.max(...sums.keys());
    // Compressible bytes among the random ones, so the codec shows in the merged diff's records.
    writeAt(device, 1 << 20, Buffer.alloc(256 << 10, 'walbctl replicates '));
    await snapshots(3, false);
    const rate = 1 << 20;
    const burst = 64 << 10;
    const t0 = process.hrtime.bigint();
    const res = await replicateArchive({ client: wire, peer, dataDir: ar1, volume: 'v', checkpointBytes: 1 << 20, compression: 'zstd', limits: [new TokenBucket(rate, burst)] });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    expect(res).toMatchObject({ kind: 'diff', fromGid: before, toGid: Math.max(...sums.keys()), sent: 1 });
    // A lower bound only (a slow machine takes longer, never shorter): the bucket let the burst go at once.
    expect(res.wireBytes).toBeGreaterThan(4 * burst);
    expect(seconds).toBeGreaterThanOrEqual(((res.wireBytes - burst) / rate) * 0.9);
    const merged = (await listDiffs(ar2, 'v')).find((d) => d.b.b === before)!;
    const codecs = new Set((await showWdiff(join(archivePaths(ar2, 'v').dir, merged.file))).records.filter((x) => x.kind === 'normal').map((x) => x.compression));
    // Records that zstd did not shrink are stored as they are; none in another codec.
    expect(codecs.has('zstd')).toBe(true);
    expect([...codecs].every((c) => c === 'zstd' || c === 'none')).toBe(true);
    expect(await everyGidMatches()).toContain(Math.max(...sums.keys()));
  });

  it('sends nothing to a target that is up to date', async () => {
    expect(await replicate()).toMatchObject({ kind: 'none', sent: 0 });
  });

  it('sends the diff the source merged across the target gid (a diff of writes applies at any gid it spans, as in WalB), not a hash replication', async () => {
    await snapshots(2, false);
    const [g1, g2] = [...sums.keys()].sort((a, b) => a - b).slice(-2) as [number, number];
    expect(await replicate()).toMatchObject({ kind: 'diff', toGid: g2 });
    await snapshots(2, false);
    const g4 = Math.max(...sums.keys());
    await merge(ar1, 'v', { gidB: g1, gidE: g4 });
    expect((await listDiffs(ar1, 'v')).some((d) => d.b.b === g1 && d.e.b === g4)).toBe(true);
    await snapshots(2, false);
    const g6 = Math.max(...sums.keys());
    // One diff per batch: the merged one, then two that continue it, pipelined to the target.
    const res = await replicateArchive({ client: wire, peer, dataDir: ar1, volume: 'v', checkpointBytes: 1 << 20, merge: { maxMergeCount: 1 } });
    expect(res).toMatchObject({ kind: 'diff', fromGid: g2, toGid: g6, sent: 3 });
    expect(res.wireBytes).toBeLessThan(size / 2);
    // The target keeps its own chain to g2 and takes the merged diff on top of it.
    expect((await listDiffs(ar2, 'v')).some((d) => d.b.b === g1 && d.e.b === g4)).toBe(true);
    expect((await observeArchive(ar1, 'v'))!.replicas['ar-2']).toMatchObject({ gid: g6, lastKind: 'diff' });
    const gids = await everyGidMatches();
    for (const g of [g2, g4, g6]) expect(gids).toContain(g);
  });

  it('falls back to a hash replication when the source applied past the target gid', async () => {
    await snapshots(1);
    const newest = Math.max(...sums.keys());
    await applyUpTo(ar1, 'v', newest);
    await snapshots(1);
    const res = await replicate();
    expect(res).toMatchObject({ kind: 'hash', toGid: Math.max(...sums.keys()), sent: 1 });
    expect(res.wireBytes).toBeLessThan(size / 2);
    const gids = await everyGidMatches();
    expect(gids).toContain(Math.max(...sums.keys()));
    expect((await observeArchive(ar1, 'v'))!.replicas['ar-2']).toMatchObject({ gid: Math.max(...sums.keys()), lastKind: 'hash' });
  });
});
