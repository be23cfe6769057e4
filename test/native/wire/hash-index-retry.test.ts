/**
 * A hash-index fetch that loses its connection mid-stream resumes its partial index from the
 * archive's last checkpoint instead of fetching it all again, whether the transfer is retried or
 * the whole operation is run again: the fetch asks the archive for the seed of the unfinished one
 * (each attempt had drawn a new seed, and the partial of another seed is thrown away). A finished
 * fetch leaves nothing behind, so the next one draws a new seed. A relay between the storage and
 * the archive cuts a connection once the index is past its third 1 MiB checkpoint.
 */
import { mkdtempSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { checkHashIndex } from '../../../native/lib/archive/addon.js';
import { initArchiveVolume } from '../../../native/lib/archive/index.js';
import { fullBackup, initVolume, storageMeta } from '../../../native/lib/storage/index.js';
import { remoteArchive, type WireClient, type WirePeer, type WireServer } from '../../../native/lib/wire/index.js';
import { startRelay, type Relay } from '../../../native/lib/wire/testing/relay.js';
import { client, makePki, serve } from './_fleet.js';

describe('a hash-index fetch cut mid-stream', () => {
  const dir = mkdtempSync(join(tmpdir(), 'walbctl-wire-index-retry-'));
  const db1 = join(dir, 'db-1');
  const ar1 = join(dir, 'ar-1');
  const device = join(dir, 'v.img');
  // 512-byte bulks: 262,144 hashes of 16 bytes, a 4 MiB index (four 1 MiB checkpoints).
  const size = 128 << 20;
  const bulkSize = 512;
  const indexBytes = (size / bulkSize) * 16;
  let server: WireServer;
  let peer: WirePeer;
  let wire: WireClient;
  let relay: Relay;
  const seeds: string[] = [];

  beforeAll(async () => {
    const pki = await makePki(['db-1', 'ar-1'], join(dir, 'pki'));
    ({ server, peer } = await serve(pki, 'ar-1', { address: '127.0.0.111', dataDir: ar1 }));
    wire = client(pki, 'db-1');
    relay = await startRelay({
      listen: { address: '127.0.0.112' },
      target: { address: peer.address, port: peer.port },
      plan: (n) => (n === 0 || n === 2 ? { kind: 'cut', atByte: indexBytes - (512 << 10), direction: 'down' } : null),
    });
    await initVolume(db1, 'v', { devicePath: device, sizeBytes: size, bulkSize });
    await initArchiveVolume(ar1, 'v');
    // Random bytes throughout: every bulk's hash differs, so the index does not shrink on the wire.
    await writeFile(device, randomBytes(size));
    await fullBackup(db1, 'v', { archiveDataDir: ar1 });
  }, 60_000);
  afterAll(async () => {
    await relay.close();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('resumes from the last checkpoint on the retry (every attempt asks the archive for the same seed)', { timeout: 60_000 }, async () => {
    const archive = remoteArchive({ client: wire, peer: { host: 'ar-1', ...relay.address }, dataDir: db1, retry: { attempts: 3, firstDelayMs: 50 } });
    const meta = (await storageMeta(db1, 'v'))!;
    const indexOut = join(dir, 'fetched.index');
    const snap = await archive.latestIndex('v', meta, { indexOut });
    expect(snap.b).toBeGreaterThanOrEqual(0);
    expect(relay.counts).toMatchObject({ connections: 2, cut: 1 });
    const index = await checkHashIndex(indexOut);
    expect(index.bulks).toBe(size / bulkSize);
    // The first attempt carried ~3.5 MiB of the index; a retry that starts over carries all of it
    // again (7.5 MiB in all), one that resumes from the 3 MiB checkpoint ~1 MiB (4.5 MiB in all).
    const received = wire.metrics.link('ar-1').bytesReceived;
    expect(received).toBeGreaterThan(indexBytes);
    expect(received).toBeLessThan(indexBytes + (1.5 * (1 << 20)));
    seeds.push(index.seed);
  });

  it('resumes when the whole operation is run again after it failed (one attempt, cut), and a finished fetch is followed by a new seed', { timeout: 60_000 }, async () => {
    const once = remoteArchive({ client: wire, peer: { host: 'ar-1', ...relay.address }, dataDir: db1, retry: { attempts: 1, firstDelayMs: 50 } });
    const meta = (await storageMeta(db1, 'v'))!;
    const indexOut = join(dir, 'again.index');
    const before = wire.metrics.link('ar-1').bytesReceived;
    await expect(once.latestIndex('v', meta, { indexOut })).rejects.toThrow();
    expect(relay.counts).toMatchObject({ connections: 3, cut: 2 });
    const index = await once.latestIndex('v', meta, { indexOut }).then(() => checkHashIndex(indexOut));
    // As above: ~3.5 MiB cut, then ~1 MiB resumed (7.5 MiB in all if the second run started over).
    const received = wire.metrics.link('ar-1').bytesReceived - before;
    expect(received).toBeGreaterThan(indexBytes);
    expect(received).toBeLessThan(indexBytes + (1.5 * (1 << 20)));
    expect(index.bulks).toBe(size / bulkSize);
    // The first test's fetch finished: this one (a new operation) hashed with a seed of its own.
    expect(index.seed).not.toBe(seeds[0]);
  });
});
