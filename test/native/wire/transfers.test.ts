/**
 * Transfers between two hosts over loopback TLS: a full backup lands as the remote archive's base,
 * a re-run is recognised, diffs continue the chain (duplicates and gaps answered with their typed
 * rejects), and restores on the remote archive match the local one's bytes. The status call on
 * the same listener reports what landed.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { archiveMeta, initArchiveVolume, archivePaths, listDiffs, restore } from '../../../native/lib/archive/index.js';
import { fullBackup, initVolume, snapshot, storageMeta } from '../../../native/lib/storage/index.js';
import { sendDiff, sendFullBackup, wireStatus, WireReject, type WireClient, type WirePeer, type WireServer } from '../../../native/lib/wire/index.js';
import { randomChange, rng, sha1 } from '../archive/_workload.js';
import { client, makePki, serve } from './_fleet.js';

describe('transfers from db-1 to ar-1 over TLS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'walbctl-wire-xfer-'));
  const local = join(dir, 'db-1'); // the storage, with a local archive that plays the source of truth
  const remote = join(dir, 'ar-1');
  const device = join(dir, 'v.img');
  const size = 6 << 20;
  let server: WireServer;
  let peer: WirePeer;
  let db1: WireClient;

  beforeAll(async () => {
    const pki = await makePki(['db-1', 'ar-1'], join(dir, 'pki'));
    ({ server, peer } = await serve(pki, 'ar-1', { address: '127.0.0.12', dataDir: remote }));
    db1 = client(pki, 'db-1');
    await initVolume(local, 'v', { devicePath: device, sizeBytes: size, bulkSize: 65536 });
    await initArchiveVolume(local, 'v');
    await initArchiveVolume(remote, 'v');
    const r = rng(11);
    for (let i = 0; i < 40; i++) randomChange(device, size, r);
    await fullBackup(local, 'v');
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function sendBase() {
    const m = (await archiveMeta(local, 'v'))!;
    const s = (await storageMeta(local, 'v'))!;
    return sendFullBackup(db1, peer, {
      volume: 'v',
      source: archivePaths(local, 'v').base,
      sizeBytes: size,
      uuid: s.uuid,
      snap: m.base.b,
      id: m.fullBackupId!,
      timestamp: m.baseTimestamp!,
      checkpointBytes: 2 << 20,
    });
  }

  it('installs a full backup as the remote base, byte for byte, and recognises a re-run', async () => {
    const first = await sendBase();
    expect(first).toMatchObject({ outcome: 'sent', resumedFrom: 0, claimRefused: null });
    expect(sha1(archivePaths(remote, 'v').base)).toBe(sha1(archivePaths(local, 'v').base));
    expect(await archiveMeta(remote, 'v')).toMatchObject({ state: 'Archived', base: { b: { b: 0, e: 1 } }, fullBackupId: (await archiveMeta(local, 'v'))!.fullBackupId });
    expect((await sendBase()).outcome).toBe('already');
  });

  it('sends each snapshot diff; the remote restores every gid to the volume’s bytes at that gid', async () => {
    const r = rng(12);
    const sums = new Map<number, string>();
    const uuid = (await storageMeta(local, 'v'))!.uuid;
    for (let k = 0; k < 3; k++) {
      for (let i = 0; i < 10; i++) randomChange(device, size, r);
      const s = await snapshot(local, 'v');
      sums.set(s.gid, sha1(device));
    }
    for (const d of await listDiffs(local, 'v')) {
      const res = await sendDiff(db1, peer, { volume: 'v', uuid, file: join(archivePaths(local, 'v').dir, d.file), diff: d, explicitEnd: true });
      expect(res.outcome).toBe('sent');
    }
    expect((await listDiffs(remote, 'v')).map((d) => d.file)).toEqual((await listDiffs(local, 'v')).map((d) => d.file));
    for (const [gid, sum] of sums) {
      const out = await restore(remote, 'v', gid, { path: join(dir, `r-${gid}.img`) });
      expect(sha1(out.path)).toBe(sum);
    }
  });

  it('answers a diff it holds as done, and a diff past a gap as too-new', async () => {
    const uuid = (await storageMeta(local, 'v'))!.uuid;
    const d = (await listDiffs(local, 'v'))[0]!;
    const again = await sendDiff(db1, peer, { volume: 'v', uuid, file: join(archivePaths(local, 'v').dir, d.file), diff: d });
    expect(again.outcome).toBe('already');
    const gap = { ...d, b: { b: 90, e: 90 }, e: { b: 91, e: 91 } };
    const err = await sendDiff(db1, peer, { volume: 'v', uuid, file: join(archivePaths(local, 'v').dir, d.file), diff: gap }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WireReject);
    expect(err).toMatchObject({ reject: 'too-new', policy: 'back-off' });
    const other = await sendDiff(db1, peer, { volume: 'v', uuid: 'f'.repeat(32), file: join(archivePaths(local, 'v').dir, d.file), diff: gap }).catch((e: unknown) => e);
    expect(other).toMatchObject({ reject: 'uuid-mismatch', policy: 'fall-back-to-hash-backup' });
  });

  it('answers a status call with the remote archive’s state, base, restorable gids, chain health and device uuid', async () => {
    const st = await wireStatus(db1, peer, 'v');
    expect(st.host).toBe('ar-1');
    expect(st.archives.v).toMatchObject({ state: 'Archived', base: { b: { b: 0, e: 1 } } });
    expect(st.archives.v!.restorable.map((x) => x.gid)).toEqual([2, 3, 4]);
    expect(st.transfers).toEqual([]);
    // The chain's health and the device whose history it holds, for the storage's plan.
    expect(st.chains?.v).toEqual({ contiguousTo: 4, hole: null, setAside: [] });
    expect(st.deviceUuids?.v).toBe((await storageMeta(local, 'v'))!.uuid);
    const links = db1.metrics.snapshot();
    expect(links).toEqual([expect.objectContaining({ peer: 'ar-1', transfersDone: 4, refused: 2 })]);
    expect(links[0]!.bytesSent).toBeGreaterThan(0);
  });

  it('refuses a diff whose record data does not match its checksum, naming the byte, and takes the sound one after', async () => {
    const uuid = (await storageMeta(local, 'v'))!.uuid;
    const r = rng(13);
    for (let i = 0; i < 10; i++) randomChange(device, size, r);
    const s = await snapshot(local, 'v');
    const d = (await listDiffs(local, 'v')).at(-1)!;
    const file = join(archivePaths(local, 'v').dir, d.file);
    // The sender's own copy is damaged: the stream's digest covers the damage, the records' checksums do not.
    const damaged = join(dir, 'damaged.wdiff');
    const bytes = readFileSync(file);
    const at = 32 + 4096 + 100; // in the first pack's data
    bytes[at] ^= 0x40;
    writeFileSync(damaged, bytes);
    const before = (await listDiffs(remote, 'v')).map((x) => x.file);
    const err = await sendDiff(db1, peer, { volume: 'v', uuid, file: damaged, diff: d, explicitEnd: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WireReject);
    expect(err).toMatchObject({ reject: 'digest-mismatch' });
    expect((err as Error).message).toMatch(/does not verify: .*record data checksum mismatch \[record-data-checksum\]/);
    expect((await listDiffs(remote, 'v')).map((x) => x.file)).toEqual(before);
    expect((await sendDiff(db1, peer, { volume: 'v', uuid, file, diff: d, explicitEnd: true })).outcome).toBe('sent');
    const out = await restore(remote, 'v', s.gid, { path: join(dir, `r-${s.gid}.img`) });
    expect(sha1(out.path)).toBe(sha1(device));
  });
});
