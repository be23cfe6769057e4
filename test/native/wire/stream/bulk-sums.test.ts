/**
 * A full backup received over the wire has its base.sums hashed from the bytes as they arrive
 * (stream/bulk-sums.ts): the sidecar is the one a hash of the installed base gives, also when the
 * stream was cut and resumed (the hashes of what the partial held come from its `sums` file), and
 * a partial without sums (an older build's) or checkpoints off the bulks fall back to hashing the
 * image at commit.
 */
import { mkdtempSync, statSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { hashImage } from '../../../../native/lib/archive/addon.js';
import { readSums, SUMS_BULK } from '../../../../native/lib/archive/base-sums.js';
import { archiveMeta, archivePaths, initArchiveVolume } from '../../../../native/lib/archive/index.js';
import { fullBackup, initVolume, storageMeta } from '../../../../native/lib/storage/index.js';
import { StreamSums } from '../../../../native/lib/wire/stream/bulk-sums.js';
import { partialDir, readPartial } from '../../../../native/lib/wire/stream/partial.js';
import { sendFullBackup, type WirePeer, type WireServer } from '../../../../native/lib/wire/index.js';
import { startRelay } from '../../../../native/lib/wire/testing/relay.js';
import { rng, sha1, writeAt } from '../../archive/_workload.js';
import { client, makePki, serve, type Pki } from '../_fleet.js';

describe('base checksums hashed from a received full backup', () => {
  const dir = mkdtempSync(join(tmpdir(), 'walbctl-wire-sums-'));
  const local = join(dir, 'db-1');
  const device = join(dir, 'v.img');
  // 9.5 MiB of random bytes: the last bulk is short; bytes 5-7 MiB stay zeros (frames of the zero codec).
  const size = 9.5 * (1 << 20);
  let pki: Pki;

  beforeAll(async () => {
    pki = await makePki(['db-1', 'ar-1', 'ar-2'], join(dir, 'pki'));
    await initVolume(local, 'v', { devicePath: device, sizeBytes: size, bulkSize: 65536 });
    await initArchiveVolume(local, 'v');
    const r = rng(41);
    const b = Buffer.alloc(size);
    for (let i = 0; i < b.length; i++) b[i] = i >= 5 << 20 && i < 7 << 20 ? 0 : (r.next() * 256) | 0;
    writeAt(device, 0, b);
    await fullBackup(local, 'v');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  async function send(to: WirePeer, checkpointBytes: number) {
    const m = (await archiveMeta(local, 'v'))!;
    const s = (await storageMeta(local, 'v'))!;
    return sendFullBackup(client(pki, 'db-1'), to, {
      volume: 'v', source: archivePaths(local, 'v').base, sizeBytes: size, uuid: s.uuid, snap: m.base.b, id: m.fullBackupId!, timestamp: m.baseTimestamp!, checkpointBytes,
    });
  }

  async function expectSumsOfBase(remote: string): Promise<void> {
    const p = archivePaths(remote, 'v');
    expect(sha1(p.base)).toBe(sha1(archivePaths(local, 'v').base));
    const sums = (await readSums(p.sums))!;
    expect(sums).toMatchObject({ bulkSize: SUMS_BULK, sizeBytes: size, snap: (await archiveMeta(local, 'v'))!.base.b });
    expect(sums.hashes.equals(await hashImage({ path: p.base, bulkSize: SUMS_BULK, sizeBytes: size }))).toBe(true);
  }

  it('writes the sidecar a hash of the installed base gives', async () => {
    const remote = join(dir, 'ar-1');
    await initArchiveVolume(remote, 'v');
    const { server, peer } = await serve(pki, 'ar-1', { address: '127.0.0.12', dataDir: remote });
    try {
      expect(await send(peer, 2 << 20)).toMatchObject({ outcome: 'sent', resumedFrom: 0 });
      await expectSumsOfBase(remote);
    } finally {
      await server.close();
    }
  });

  it('keeps the hashes of what a cut stream held and hashes the rest when it resumes', { timeout: 30_000 }, async () => {
    const remote = join(dir, 'ar-2');
    await initArchiveVolume(remote, 'v');
    const { server, peer } = await serve(pki, 'ar-2', { address: '127.0.0.12', dataDir: remote });
    // The first connection is cut 4.5 MiB into the upload: the checkpoint at 2 MiB (maybe 4) is held.
    const relay = await startRelay({ listen: { address: '127.0.0.12' }, target: server.address, plan: (n) => (n === 0 ? { kind: 'cut', atByte: 4.5 * (1 << 20), direction: 'up' } : null) });
    const via: WirePeer = { host: 'ar-2', ...relay.address };
    try {
      await expect(send(via, 2 << 20)).rejects.toThrow();
      // The partial holds the hashes of the bulks its checkpoints claim.
      // (The receiver notices the cut after the sender: it may still be recording a checkpoint.)
      let held = await readPartial(partialDir(remote, 'full-backup', 'v'));
      for (let i = 0; i < 50 && (!held || held.offset < 2 << 20); i++) {
        await new Promise((r) => setTimeout(r, 100));
        held = await readPartial(partialDir(remote, 'full-backup', 'v'));
      }
      if (!held) throw new Error('the receiver kept no partial of the cut stream');
      expect(held.offset).toBeGreaterThanOrEqual(2 << 20);
      expect(statSync(join(partialDir(remote, 'full-backup', 'v'), 'sums')).size).toBeGreaterThanOrEqual((held.offset / SUMS_BULK) * 8);
      const again = await send(via, 2 << 20);
      expect(again.outcome).toBe('sent');
      expect(again.resumedFrom).toBe(held.offset);
      expect(relay.counts.cut).toBe(1);
      await expectSumsOfBase(remote);
    } finally {
      await relay.close();
      await server.close();
    }
  });

  it('gives up streaming the hashes when checkpoints are off the bulks or a resumed partial has none', async () => {
    const part = join(dir, 'partial');
    await mkdir(part, { recursive: true });
    expect(await StreamSums.open(part, { sizeBytes: size, bulkSize: SUMS_BULK, checkpointBytes: 1.5 * (1 << 20), from: 0 })).toBeNull();
    expect(await StreamSums.open(part, { sizeBytes: size, bulkSize: SUMS_BULK, checkpointBytes: 2 << 20, from: 4 << 20 })).toBeNull();
    // A sums file shorter than the bulks the partial claims is not trusted either.
    await writeFile(join(part, 'sums'), Buffer.alloc(8 * 3));
    expect(await StreamSums.open(part, { sizeBytes: size, bulkSize: SUMS_BULK, checkpointBytes: 2 << 20, from: 4 << 20 })).toBeNull();
  });

  it('hashes zeros and a short last bulk as the image hash does', async () => {
    const part = join(dir, 'partial-2');
    await mkdir(part, { recursive: true });
    const s = (await StreamSums.open(part, { sizeBytes: size, bulkSize: SUMS_BULK, checkpointBytes: 2 << 20, from: 0 }))!;
    const img = join(dir, 'img');
    const bytes = Buffer.alloc(size - (3 << 20), 0x5a);
    await writeFile(img, Buffer.concat([Buffer.alloc(3 << 20), bytes]));
    s.update(3 << 20);
    // In uneven parts, across bulk boundaries.
    for (let at = 0; at < bytes.length; at += 700_001) s.update([bytes.subarray(at, Math.min(at + 300_000, bytes.length)), bytes.subarray(Math.min(at + 300_000, bytes.length), Math.min(at + 700_001, bytes.length))]);
    expect(s.complete()!.hashes.equals(await hashImage({ path: img, bulkSize: SUMS_BULK, sizeBytes: size }))).toBe(true);
    await s.close();
  });
});
