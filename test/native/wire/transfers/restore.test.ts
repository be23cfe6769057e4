/**
 * The `restore` transfer kind between two real wire endpoints on loopback (mutual TLS, certificates
 * made here): the archive host builds the image of a gid and streams it; the asking host writes it
 * onto a new file or, with overwrite, over an existing one, with the local restore's refusals; a
 * flipped byte in flight is detected and the retry resumes at the receiver's checkpoint.
 */
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { observeArchive } from '../../../../native/lib/archive/index.js';
import { fullBackup, snapshot } from '../../../../native/lib/storage/index.js';
import { fetchRestore, startRelay, WireReject, type WirePeer, type WireServer } from '../../../../native/lib/wire/index.js';
import { freshVolume, randomChange, rng, sha1, type Fixture } from '../../archive/_workload.js';
import { client, makePki, serve, type Pki } from '../_fleet.js';

const SIZE = 4 << 20;
const MiB = 1 << 20;

describe('the restore transfer', () => {
  let f: Fixture;
  let pki: Pki;
  let server: WireServer;
  let peer: WirePeer;
  let here: string;
  const want = new Map<number, string>();
  const asked: string[] = [];
  beforeAll(async () => {
    f = await freshVolume({ size: SIZE, bulkSize: 4096 });
    const r = rng(15);
    for (let i = 0; i < 20; i++) randomChange(f.device, SIZE, r);
    await fullBackup(f.dataDir, f.vol);
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 10; i++) randomChange(f.device, SIZE, r);
      const s = await snapshot(f.dataDir, f.vol);
      want.set(s.gid, sha1(f.device));
    }
    pki = await makePki(['ar-1', 'db-1']);
    ({ server, peer } = await serve(pki, 'ar-1', { dataDir: f.dataDir, authorize: (host, req) => (asked.push(`${host} ${req.kind} ${req.volume}`), true) }));
    here = mkdtempSync(join(tmpdir(), 'walbctl-restore-here-'));
  });
  afterAll(async () => {
    await server?.close();
    await rm(f.dir, { recursive: true, force: true });
    await rm(here, { recursive: true, force: true });
  });

  it('restores every restorable gid onto a new file on the asking host, byte for byte', async () => {
    const restorable = (await observeArchive(f.dataDir, f.vol))!.restorable.map((x) => x.gid);
    expect(restorable).toEqual([...want.keys()]);
    const c = client(pki, 'db-1');
    for (const gid of restorable) {
      const target = join(here, `r${gid}.img`);
      const phases = new Set<string>();
      const r = await fetchRestore(c, peer, { volume: f.vol, gid, dataDir: here, target, checkpointBytes: MiB, onProgress: (e) => void phases.add(e.phase) });
      expect({ gid, sha1: sha1(target), resumedFrom: r.resumedFrom, size: r.sizeBytes }).toEqual({ gid, sha1: want.get(gid), resumedFrom: 0, size: SIZE });
      expect(phases).toContain('receive');
    }
    // Nothing is left behind on either side: no partial here, no temp image in the archive, no restored image listed there.
    expect(readdirSync(join(here, 'wire', 'partial'))).toEqual([]);
    // (the archive removes its temp image once the stream ended, just after the answer went out)
    const temps = () => readdirSync(join(f.dataDir, 'archive', f.vol)).filter((n) => n.includes('restore-'));
    for (let i = 0; i < 50 && temps().length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(temps()).toEqual([]);
    expect((await observeArchive(f.dataDir, f.vol))!.restored).toEqual([]);
    expect(asked.every((a) => a === `db-1 restore ${f.vol}`)).toBe(true);
  });

  it('refuses an existing target without overwrite before asking, and writes over it with overwrite', async () => {
    const gid = [...want.keys()].at(-1)!;
    const target = join(here, 'old.img');
    writeFileSync(target, Buffer.alloc(SIZE, 0xff));
    const before = asked.length;
    await expect(fetchRestore(client(pki, 'db-1'), peer, { volume: f.vol, gid, dataDir: here, target })).rejects.toThrow(/exists already; .*--overwrite/);
    expect(asked.length).toBe(before);
    const r = await fetchRestore(client(pki, 'db-1'), peer, { volume: f.vol, gid, dataDir: here, target, overwrite: true, checkpointBytes: MiB });
    expect(r.overwrote).toBe('file');
    expect(sha1(target)).toBe(want.get(gid));
  });

  it("refuses the volume's own capture device on the asking host while its storage captures it", async () => {
    const gid = [...want.keys()][0]!;
    const before = sha1(f.device);
    // The fixture's data directory holds the storage too: its device is captured (Target).
    await expect(fetchRestore(client(pki, 'db-1'), peer, { volume: f.vol, gid, dataDir: f.dataDir, target: f.device, overwrite: true })).rejects.toThrow(/capture device of volume v, whose storage is Target/);
    expect(sha1(f.device)).toBe(before);
  });

  it('runs one restore of a volume at a time on a host (they would share the partial)', async () => {
    const gid = [...want.keys()][0]!;
    const c = client(pki, 'db-1');
    const results = await Promise.allSettled([0, 1].map((i) => fetchRestore(c, peer, { volume: f.vol, gid, dataDir: here, target: join(here, `twice-${i}.img`), checkpointBytes: MiB })));
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ retryable: true, message: expect.stringContaining('another restore of it over the wire runs on this host') });
    const made = results.findIndex((r) => r.status === 'fulfilled');
    expect(sha1(join(here, `twice-${made}.img`))).toBe(want.get(gid));
  });

  it('answers a gid that is not restorable with not-found naming the restorable gids (stop-and-report)', async () => {
    const e = await fetchRestore(client(pki, 'db-1'), peer, { volume: f.vol, gid: 999, dataDir: here, target: join(here, 'none.img') }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(WireReject);
    expect(e).toMatchObject({ reject: 'not-found', policy: 'stop-and-report', message: expect.stringContaining(`restorable gids: ${[...want.keys()].join(', ')}`) });
    expect(existsSync(join(here, 'none.img'))).toBe(false);
  });

  it('resumes a restore whose link was cut, with a new client (the partial is on disk), and finishes it whole', async () => {
    const gid = [...want.keys()][0]!;
    const target = join(here, 'cut.img');
    const relay = await startRelay({ listen: { address: '127.0.0.1' }, target: { address: peer.address, port: peer.port }, plan: (n) => (n === 0 ? { kind: 'cut', atByte: 3.2 * MiB, direction: 'down' } : null) });
    try {
      const via = { host: 'ar-1', ...relay.address };
      const cut = await fetchRestore(client(pki, 'db-1', { codecs: ['none'] }), via, { volume: f.vol, gid, dataDir: here, target, checkpointBytes: MiB }).catch((x: unknown) => x as Error);
      expect(cut).toBeInstanceOf(Error);
      expect(relay.counts.cut).toBe(1);
      expect(existsSync(target)).toBe(false);
      const r = await fetchRestore(client(pki, 'db-1'), via, { volume: f.vol, gid, dataDir: here, target, checkpointBytes: MiB });
      expect(r.resumedFrom).toBeGreaterThanOrEqual(2 * MiB);
      expect(sha1(target)).toBe(want.get(gid));
    } finally {
      await relay.close();
    }
  });

  it('detects a byte flipped in flight, writes nothing, and the retry resumes at the checkpoint the receiver made durable', async () => {
    const gid = [...want.keys()].at(-1)!;
    const target = join(here, 'flipped.img');
    // Downstream (archive → here), well past the first 1 MiB checkpoint of a 4 MiB stream.
    const relay = await startRelay({ listen: { address: '127.0.0.1' }, target: { address: peer.address, port: peer.port }, plan: (n) => (n === 0 ? { kind: 'flip', atByte: 2.5 * MiB, direction: 'down' } : null) });
    try {
      const via = { host: 'ar-1', ...relay.address };
      const c = client(pki, 'db-1', { codecs: ['none'] });
      const first = await fetchRestore(c, via, { volume: f.vol, gid, dataDir: here, target, checkpointBytes: MiB }).catch((x: unknown) => x as Error);
      expect(first).toBeInstanceOf(Error);
      expect((first as Error).message).toMatch(/bad record mac|decrypt|crc|link|closed|reset/i);
      expect(relay.counts.flip).toBe(1);
      expect(existsSync(target)).toBe(false);
      const again = await fetchRestore(c, via, { volume: f.vol, gid, dataDir: here, target, checkpointBytes: MiB });
      expect(again.resumedFrom).toBeGreaterThanOrEqual(MiB);
      expect(sha1(target)).toBe(want.get(gid));
    } finally {
      await relay.close();
    }
  });
});
