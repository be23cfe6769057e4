/**
 * The `diff` kind with a sender that pipelines (native/lib/wire/transfers/diff-queue.ts): a diff
 * that continues one still being received is taken in at once, streams into its own partial, and
 * installs only after the one before it; when that one fails, the later diff's commit is refused
 * too-new and its partial stays, so sending it again resumes by offset.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, copyFileSync, mkdtempSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { addDiff, archiveMeta, archivePaths, initArchiveVolume, listDiffs } from '../../../../native/lib/archive/index.js';
import { mergeWdiffs } from '../../../../native/lib/wdiff.js';
import { fullBackup, initVolume, snapshot, storageMeta } from '../../../../native/lib/storage/index.js';
import { listPartials, sendDiff, sendFullBackup, WireReject, type WireClient, type WirePeer, type WireServer } from '../../../../native/lib/wire/index.js';
import { TokenBucket } from '../../../../native/lib/wire/stream/token-bucket.js';
import { client, makePki, serve } from '../_fleet.js';

type DiffInfo = Awaited<ReturnType<typeof listDiffs>>[number];

describe('a diff sent while the one before it is still being received', () => {
  const dir = mkdtempSync(join(tmpdir(), 'walbctl-wire-pipe-'));
  const local = join(dir, 'db-1');
  const remote = join(dir, 'ar-1');
  const device = join(dir, 'v.img');
  const size = 16 << 20;
  const MiB = 1 << 20;
  let server: WireServer;
  let peer: WirePeer;
  let db1: WireClient;
  let uuid: string;

  /** Rewrites 4 MiB of random bytes at `at` and takes a snapshot: one diff of about 4 MiB. */
  async function change(at: number): Promise<void> {
    const fd = openSync(device, 'r+');
    writeSync(fd, randomBytes(4 * MiB), 0, 4 * MiB, at);
    closeSync(fd);
    await snapshot(local, 'v');
  }
  const fileOf = (d: { file: string }): string => join(archivePaths(local, 'v').dir, d.file);

  /** Two new diffs: 4 MiB rewritten at `a`, a snapshot, then at `b`, a snapshot. */
  async function twoNewDiffs(a: number, b: number): Promise<[DiffInfo, DiffInfo]> {
    const known = (await listDiffs(local, 'v')).length;
    await change(a);
    await change(b);
    const [d1, d2] = (await listDiffs(local, 'v')).slice(known);
    return [d1, d2];
  }

  /** Sends `file` as `diff` slowly (4 MB/s); resolves `started` once it streams. */
  function sendSlowly(file: string, diff: DiffInfo): { started: Promise<void>; done: ReturnType<typeof sendDiff> } {
    let streaming!: () => void;
    const started = new Promise<void>((r) => (streaming = r));
    const done = sendDiff(db1, peer, { volume: 'v', uuid, file, diff, checkpointBytes: MiB, limits: [new TokenBucket(4e6, 128 << 10)], onProgress: () => streaming() });
    return { started, done };
  }

  beforeAll(async () => {
    const pki = await makePki(['db-1', 'ar-1'], join(dir, 'pki'));
    ({ server, peer } = await serve(pki, 'ar-1', { address: '127.0.0.12', dataDir: remote }));
    db1 = client(pki, 'db-1');
    const fd = openSync(device, 'w');
    writeSync(fd, randomBytes(size), 0, size, 0);
    closeSync(fd);
    await initVolume(local, 'v', { devicePath: device, sizeBytes: size, bulkSize: 65536 });
    await initArchiveVolume(local, 'v');
    await initArchiveVolume(remote, 'v');
    await fullBackup(local, 'v');
    const m = (await archiveMeta(local, 'v'))!;
    uuid = (await storageMeta(local, 'v'))!.uuid;
    await sendFullBackup(db1, peer, { volume: 'v', source: archivePaths(local, 'v').base, sizeBytes: size, uuid, snap: m.base.b, id: m.fullBackupId!, timestamp: m.baseTimestamp!, checkpointBytes: 4 * MiB });
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('takes it in at once and installs it after the one before it, in order', async () => {
    const [d1, d2] = await twoNewDiffs(0, 8 * MiB);
    const ended: string[] = [];
    // The first goes slowly (4 MiB at 4 MB/s); the second starts once the first streams.
    const slow = sendSlowly(fileOf(d1), d1);
    const one = slow.done.then((r) => (ended.push('first'), r));
    await slow.started;
    let out = false;
    const two = sendDiff(db1, peer, { volume: 'v', uuid, file: fileOf(d2), diff: d2, checkpointBytes: MiB, onSent: () => void (out = true) }).then((r) => (ended.push('second'), r));
    const [a, b] = await Promise.all([one, two]);
    expect([a.outcome, b.outcome]).toEqual(['sent', 'sent']);
    expect(out).toBe(true);
    expect(ended).toEqual(['first', 'second']);
    expect((await listDiffs(remote, 'v')).map((d) => d.file)).toEqual((await listDiffs(local, 'v')).map((d) => d.file));
    expect(await listPartials(remote)).toEqual([]);
  });

  it('refuses it too-new when the one before it does not install, keeps its partial, and resumes it by offset', async () => {
    const [d1, d2] = await twoNewDiffs(4 * MiB, 12 * MiB);
    // A copy of the first with one byte flipped in its records: it streams whole and fails to verify.
    const bad = join(dir, 'bad.wdiff');
    copyFileSync(fileOf(d1), bad);
    const at = Math.floor(statSync(bad).size / 2);
    const fd = openSync(bad, 'r+');
    const byte = Buffer.alloc(1);
    readSync(fd, byte, 0, 1, at);
    byte[0] = byte[0]! ^ 0xff;
    writeSync(fd, byte, 0, 1, at);
    closeSync(fd);
    const slow = sendSlowly(bad, d1);
    const one = slow.done.catch((e: unknown) => e);
    await slow.started;
    const two = sendDiff(db1, peer, { volume: 'v', uuid, file: fileOf(d2), diff: d2, checkpointBytes: MiB }).catch((e: unknown) => e);
    expect(await one).toMatchObject({ reject: 'digest-mismatch' });
    const refused = await two;
    expect(refused).toBeInstanceOf(WireReject);
    expect(refused).toMatchObject({ reject: 'too-new', policy: 'back-off' });
    // (The bad first diff's partial stays too: a resume claim the sender finds wrong starts at 0.)
    const kept = (await listPartials(remote)).filter((p) => (p.identity.diff as { e: { b: number } }).e.b === d2.e.b);
    expect(kept).toHaveLength(1);
    expect(kept[0]!.offset).toBeGreaterThan(0);
    // The good first diff, then the second again: it resumes from what the archive kept.
    expect(await sendDiff(db1, peer, { volume: 'v', uuid, file: fileOf(d1), diff: d1, checkpointBytes: MiB })).toMatchObject({ outcome: 'sent', resumedFrom: 0 });
    const again = await sendDiff(db1, peer, { volume: 'v', uuid, file: fileOf(d2), diff: d2, checkpointBytes: MiB });
    expect(again.resumedFrom).toBe(kept[0]!.offset);
    expect((await listDiffs(remote, 'v')).map((d) => d.file)).toEqual((await listDiffs(local, 'v')).map((d) => d.file));
    expect(await listPartials(remote)).toEqual([]);
  });

  it('refuses too-old at its commit a diff the chain passed while it streamed, and keeps no partial of it', async () => {
    const [d1, d2] = await twoNewDiffs(2 * MiB, 10 * MiB);
    // The two merged into one (another source's merged diff, say), landed at the archive while d1 streams.
    const merged = join(dir, 'merged.wdiff');
    await mergeWdiffs([fileOf(d1), fileOf(d2)], merged, { uuid });
    const span = { ...d1, e: d2.e, timestamp: d2.timestamp };
    const slow = sendSlowly(fileOf(d1), d1);
    const one = slow.done.catch((e: unknown) => e);
    await slow.started;
    await addDiff(remote, 'v', { source: merged, diff: span, explicitEnd: false });
    expect(await one).toMatchObject({ reject: 'too-old' });
    expect(await listPartials(remote)).toEqual([]);
    expect((await listDiffs(remote, 'v')).at(-1)).toMatchObject({ e: d2.e });
  });
});
