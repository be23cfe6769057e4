// What one pass of the shipping loop costs the served wdev: a batch flushes the log at most once
// (the poll for new log reads where the log ends without a flush; a batch the durable log already
// fills needs none), a poll that finds nothing new flushes nothing, and capture.json is written
// once a batch. Each flush is an fdatasync of the ring's file or of capture.json: a flush of the
// disk's cache under the writer's own IOs.
import { statSync } from 'node:fs';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { backupWdev, shipWdev, snapshotWdev } from '../../../native/lib/wdev/capture.js';
import { readCapture, settleAcknowledged, settledView, type CaptureState } from '../../../native/lib/wdev/capture-state.js';
import { controlRequest } from '../../../native/lib/wdev/control.js';
import { createWdev } from '../../../native/lib/wdev/create.js';
import { setOldest } from '../../../native/lib/wdev/log-position.js';
import { wdevPaths } from '../../../native/lib/wdev/paths.js';
import { serveWdev } from '../../../native/lib/wdev/serve.js';
import { shipLogBatch, type BatchSender } from '../../../native/lib/wdev/ship-log.js';
import { killAndWait, Scratch, wdevSkipReason, writeAndSync } from './fixture.js';

const skip = wdevSkipReason();

describe('settleAcknowledged', () => {
  const state = (shipped: number, queue: [gid: number, lsid: number][]): CaptureState => ({
    formatVersion: 1,
    archiveDataDir: 'wire:ar-1',
    shipped: { snap: { b: 3, e: 3 }, lsid: shipped, explicit: false },
    queue: queue.map(([gid, lsid]) => ({ gid, lsid, timestamp: '2026-12-07T00:00:00Z', explicit: gid === 5 })),
    latestGid: queue.at(-1)?.[0] ?? 3,
  });

  it('records as shipped every queued batch up to the oldest lsid, and says so', () => {
    const s = state(100, [[4, 200], [5, 300], [6, 400]]);
    expect(settleAcknowledged(s, 300)).toBe(true);
    expect(s.shipped).toEqual({ snap: { b: 5, e: 5 }, lsid: 300, explicit: true });
    expect(s.queue.map((q) => q.gid)).toEqual([6]);
  });

  it('leaves the queue alone when the oldest lsid has not reached its first batch', () => {
    const s = state(100, [[4, 200]]);
    expect(settleAcknowledged(s, 199)).toBe(false);
    expect(s.queue.map((q) => q.gid)).toEqual([4]);
    expect(s.shipped.lsid).toBe(100);
  });

  it('leaves queued a batch that carries no log (the freed log cannot say it was acknowledged), and what follows it', () => {
    const s = state(100, [[4, 100], [5, 200]]);
    expect(settleAcknowledged(s, 200)).toBe(false);
    expect(s.queue.map((q) => q.gid)).toEqual([4, 5]);
  });

  it('gives readers that only report a settled copy and leaves the state it read as it was', () => {
    const s = state(100, [[4, 200], [6, 400]]);
    const v = settledView(s, 250);
    expect(v.shipped.lsid).toBe(200);
    expect(v.queue.map((q) => q.gid)).toEqual([6]);
    expect(s.shipped.lsid).toBe(100);
    expect(s.queue.map((q) => q.gid)).toEqual([4, 6]);
  });
});

describe.skipIf(skip !== null)(`a pass of the shipping loop${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const s = new Scratch('ship-log');
  const vol = 'sl';
  const p = () => wdevPaths(s.dataDir, vol);
  const flushes = async () => (await controlRequest(p().socket, 'status'))!.flushes;
  const sent: { b: number; e: number }[] = [];
  const accept: BatchSender = async (meta) => void sent.push(meta.lsid);

  beforeAll(async () => {
    s.volume(vol);
    await createWdev(s.dataDir, vol, { sizeBytes: 16 << 20, ringBytes: 8 << 20 });
    await serveWdev(s.dataDir, vol);
    writeAndSync(p().file, 0, 1 << 20, 0x21);
    await backupWdev(s.dataDir, vol);
  }, 120_000);
  afterAll(() => s.cleanup());

  it('flushes the log once for a batch it cuts, and not at all when nothing new was written', { timeout: 60_000 }, async () => {
    writeAndSync(p().file, 4 << 20, 1 << 20, 0x22);
    const before = await flushes();
    const b = await shipLogBatch(s.dataDir, vol, accept);
    expect(b).not.toBeNull();
    expect(sent.at(-1)).toEqual(b!.lsid);
    expect((await flushes()) - before).toBe(1);

    const idle = await flushes();
    expect(await shipLogBatch(s.dataDir, vol, accept)).toBeNull();
    expect(await shipLogBatch(s.dataDir, vol, accept)).toBeNull();
    expect((await flushes()) - idle).toBe(0);
  });

  it('does not flush when the durable log already fills a batch, and writes capture.json once a batch', { timeout: 60_000 }, async () => {
    writeAndSync(p().file, 6 << 20, 4 << 20, 0x23); // the fsync makes all of it durable
    const before = await flushes();
    const inode = statSync(p().capture).ino;
    const b = await shipLogBatch(s.dataDir, vol, accept, { maxBatchBytes: 512 << 10 });
    expect(b).not.toBeNull();
    expect(b!.bytes).toBeLessThan(4 << 20); // one pack at least, whatever the cap
    expect((await flushes()) - before).toBe(0);
    // Written when the batch was cut (atomically: a new file), not again after the acknowledgement:
    // the batch is still queued there, and the freed log says it was acknowledged.
    expect(statSync(p().capture).ino).not.toBe(inode);
    const cut = await readCapture(p().capture, vol);
    expect(cut.queue.map((q) => q.lsid)).toEqual([b!.lsid.e]);
    expect((await controlRequest(p().socket, 'status'))!.oldestLsid).toBe(b!.lsid.e);

    // The next pass records it as shipped and goes on from its end: nothing is sent twice.
    const next = await shipLogBatch(s.dataDir, vol, accept, { maxBatchBytes: 512 << 10 });
    expect(next!.lsid.b).toBe(b!.lsid.e);
    expect(sent.filter((x) => x.b === b!.lsid.b)).toHaveLength(1);
    let last = next!;
    for (let i = 0; i < 100; i++) {
      const more = await shipLogBatch(s.dataDir, vol, accept, { maxBatchBytes: 512 << 10 });
      if (!more) break;
      expect(more.lsid.b).toBe(last.lsid.e);
      last = more;
    }
    // The pass that finds nothing new brings capture.json up to the last batch acknowledged.
    const idle = await readCapture(p().capture, vol);
    expect(idle.queue).toEqual([]);
    expect(idle.shipped.lsid).toBe(last.lsid.e);
    expect(idle.shipped.snap.e).toBe(last.gid);
  });

  it('sends a snapshot taken with nothing written since the last batch once, and records it shipped', { timeout: 60_000 }, async () => {
    writeAndSync(p().file, 12 << 20, 1 << 20, 0x24);
    const b = await shipLogBatch(s.dataDir, vol, accept);
    const snap = await snapshotWdev(s.dataDir, vol, { explicit: true, ship: false });
    expect(snap!.lsid).toBe(b!.lsid.e);
    const empty = await shipLogBatch(s.dataDir, vol, accept);
    expect(empty).toMatchObject({ gid: snap!.gid, lsid: { b: b!.lsid.e, e: b!.lsid.e }, explicit: true });
    expect(await shipLogBatch(s.dataDir, vol, accept)).toBeNull();
    expect(sent.filter((x) => x.b === b!.lsid.e && x.e === b!.lsid.e)).toHaveLength(1);
    const c = await readCapture(p().capture, vol);
    expect(c.queue).toEqual([]);
    expect(c.shipped).toEqual({ snap: { b: snap!.gid, e: snap!.gid }, lsid: b!.lsid.e, explicit: true });
  });

  it('records as shipped, without sending it again, a snapshot whose log was freed before capture.json said so (a crash between the two)', { timeout: 60_000 }, async () => {
    writeAndSync(p().file, 14 << 20, 1 << 20, 0x25);
    const snap = await snapshotWdev(s.dataDir, vol, { explicit: true, ship: false });
    // The crash's leftovers: the log freed up to the snapshot (as after its archive took it), and
    // that made durable by a checkpoint; capture.json still has the snapshot queued.
    await setOldest(p(), vol, snap!.lsid);
    await controlRequest(p().socket, 'checkpoint');
    expect((await readCapture(p().capture, vol)).queue.map((q) => q.gid)).toEqual([snap!.gid]);
    expect(await shipWdev(s.dataDir, vol)).toEqual([]);
    const c = await readCapture(p().capture, vol);
    expect(c.queue).toEqual([]);
    expect(c.shipped).toEqual({ snap: { b: snap!.gid, e: snap!.gid }, lsid: snap!.lsid, explicit: true });
  });
});

describe.skipIf(skip !== null)(`a shipping loop after the wdev crashed${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const s = new Scratch('ship-log-crash');
  const vol = 'slc';
  const p = () => wdevPaths(s.dataDir, vol);
  afterAll(() => s.cleanup());

  it('frees again, before it sends the next batch, the log a crash brought back after capture.json recorded it acknowledged', { timeout: 60_000 }, async () => {
    s.volume(vol);
    await createWdev(s.dataDir, vol, { sizeBytes: 16 << 20, ringBytes: 8 << 20 });
    const served = await serveWdev(s.dataDir, vol, { checkpointMs: 3_600_000 }); // checkpoints only when asked
    writeAndSync(p().file, 0, 1 << 20, 0x41);
    await backupWdev(s.dataDir, vol);
    await controlRequest(p().socket, 'checkpoint');
    const sent: { b: number; e: number; oldest: number }[] = [];
    const accept: BatchSender = async (meta) => {
      sent.push({ ...meta.lsid, oldest: (await controlRequest(p().socket, 'status'))!.oldestLsid });
    };

    writeAndSync(p().file, 2 << 20, 1 << 20, 0x42);
    const b = (await shipLogBatch(s.dataDir, vol, accept))!;
    expect(await shipLogBatch(s.dataDir, vol, accept)).toBeNull(); // records b as shipped
    expect((await readCapture(p().capture, vol)).shipped.lsid).toBe(b.lsid.e);
    await killAndWait(served.pid); // before any checkpoint wrote b's set-oldest

    await serveWdev(s.dataDir, vol, { checkpointMs: 3_600_000 });
    expect((await controlRequest(p().socket, 'status'))!.oldestLsid).toBeLessThan(b.lsid.e);
    writeAndSync(p().file, 4 << 20, 1 << 20, 0x43);
    const next = (await shipLogBatch(s.dataDir, vol, accept))!;
    expect(next.lsid.b).toBe(b.lsid.e); // nothing sent twice
    expect(sent.at(-1)).toEqual({ b: b.lsid.e, e: next.lsid.e, oldest: b.lsid.e });
  });

  const vol2 = 'slc-idle';
  const p2 = () => wdevPaths(s.dataDir, vol2);
  it('frees that log again while nothing new is written, on its next idle pass', { timeout: 60_000 }, async () => {
    s.volume(vol2);
    await createWdev(s.dataDir, vol2, { sizeBytes: 16 << 20, ringBytes: 8 << 20 });
    const served = await serveWdev(s.dataDir, vol2, { checkpointMs: 3_600_000 });
    writeAndSync(p2().file, 0, 1 << 20, 0x41);
    await backupWdev(s.dataDir, vol2);
    await controlRequest(p2().socket, 'checkpoint');
    let sent = 0;
    const accept: BatchSender = async () => void sent++;
    writeAndSync(p2().file, 2 << 20, 1 << 20, 0x42);
    const b = (await shipLogBatch(s.dataDir, vol2, accept))!;
    expect(await shipLogBatch(s.dataDir, vol2, accept)).toBeNull();
    await killAndWait(served.pid);

    await serveWdev(s.dataDir, vol2, { checkpointMs: 3_600_000 });
    expect((await controlRequest(p2().socket, 'status'))!.oldestLsid).toBeLessThan(b.lsid.e);
    expect(await shipLogBatch(s.dataDir, vol2, accept)).toBeNull(); // no new log: nothing sent
    expect((await controlRequest(p2().socket, 'status'))!.oldestLsid).toBe(b.lsid.e);
    expect(sent).toBe(1);
  });
});
