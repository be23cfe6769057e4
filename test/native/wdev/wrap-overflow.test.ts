// A ring smaller than the data written: the log wraps many times and every snapshot still restores
// exactly; writing more than the ring between snapshots overflows it, writes keep working, the
// planner then plans a hash backup, and after it capture resumes and restores exactly again.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { DesiredVolume } from '../../../reconciler/model/desired.js';
import { storageLifecycle } from '../../../reconciler/policy/lifecycle.js';
import { restore } from '../../../native/lib/archive/restore.js';
import { backupWdev, snapshotWdev } from '../../../native/lib/wdev/capture.js';
import { createWdev } from '../../../native/lib/wdev/create.js';
import { WdevOverflowError } from '../../../native/lib/wdev/errors.js';
import { observeWdevStorage } from '../../../native/lib/wdev/observe.js';
import { wdevPaths } from '../../../native/lib/wdev/paths.js';
import { serveWdev } from '../../../native/lib/wdev/serve.js';
import { formatStatus, wdevStatus } from '../../../native/lib/wdev/status.js';
import { Scratch, sha1, wdevSkipReason } from './fixture.js';

const SIZE = 32 << 20;
const RING = 4 << 20;

/** Writes `bytes` of random data in 64 KiB pieces at random 4 KiB-aligned offsets, then fsyncs. */
function scribble(file: string, bytes: number): void {
  const fd = openSync(file, 'r+');
  try {
    for (let done = 0; done < bytes; done += 65536) {
      const off = Math.floor(Math.random() * ((SIZE - 65536) / 4096)) * 4096;
      writeSync(fd, randomBytes(65536), 0, 65536, off);
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function planFor(storage: Awaited<ReturnType<typeof observeWdevStorage>>) {
  // Only the fields the storage lifecycle reads: a volume captured by wdev with a local primary archive.
  const volume = { archives: [{ host: 'local', primary: true }], device: { path: storage.devicePath, kind: 'file', sizeBytes: SIZE }, capture: 'wdev' } as unknown as DesiredVolume;
  return storageLifecycle({ host: 'local', volume, storage, localArchive: undefined });
}

const skip = wdevSkipReason('fio');

describe.skipIf(skip)('a wdev whose ring is smaller than the data written', () => {
  const s = new Scratch('wrap');
  const vol = 'wrap';
  let file: string;

  beforeAll(async () => {
    s.volume(vol);
    await createWdev(s.dataDir, vol, { sizeBytes: SIZE, ringBytes: RING });
    await serveWdev(s.dataDir, vol);
    await backupWdev(s.dataDir, vol);
    file = wdevPaths(s.dataDir, vol).file;
  }, 120_000);
  afterAll(() => s.cleanup(), 120_000);

  it('wraps the log many times and restores every snapshot exactly', { timeout: 120_000 }, async () => {
    const taken: { gid: number; sha: string }[] = [];
    for (let i = 0; i < 6; i++) {
      scribble(file, 2 << 20);
      const snap = (await snapshotWdev(s.dataDir, vol, { explicit: i % 2 === 0 }))!;
      taken.push({ gid: snap.gid, sha: sha1(readFileSync(file)) });
    }
    const st = await wdevStatus(s.dataDir, vol);
    expect(st.latestLsid).toBeGreaterThan(2 * st.capacityPb); // wrapped at least twice
    expect(st.overflow).toBe(false);
    for (const t of taken) {
      const img = join(s.dir, `wrap-${t.gid}.img`);
      await restore(s.dataDir, vol, t.gid, { path: img });
      expect(sha1(readFileSync(img)), `gid ${t.gid}`).toBe(t.sha);
    }
  });

  it('takes an implicit snapshot only when there are new logs', { timeout: 60_000 }, async () => {
    expect(await snapshotWdev(s.dataDir, vol, { explicit: false, onlyIfNewLogs: true })).toBeNull();
    scribble(file, 65536);
    const snap = await snapshotWdev(s.dataDir, vol, { explicit: false, onlyIfNewLogs: true });
    expect(snap?.shipped.map((d) => d.file)).toEqual([expect.stringMatching(new RegExp(`-\\d+-${snap!.gid}\\.wdiff$`))]);
  });

  it('ships snapshots taken while writes go on, and the newest restores to the device', { timeout: 120_000 }, async () => {
    const fio = spawn('fio', [
      '--name=live', `--filename=${file}`, '--rw=randwrite', '--bsrange=4k-128k', '--ioengine=libaio', '--iodepth=8',
      '--direct=1', '--rate=2m', '--time_based', '--runtime=4', '--output=/dev/null',
    ]);
    const done = new Promise((r) => fio.on('exit', r));
    const gids: number[] = [];
    let running = true;
    void done.then(() => (running = false));
    while (running) gids.push((await snapshotWdev(s.dataDir, vol, { explicit: false }))!.gid);
    await done;
    const last = (await snapshotWdev(s.dataDir, vol))!;
    expect(gids.length).toBeGreaterThan(1);
    const img = join(s.dir, `live-${last.gid}.img`);
    await restore(s.dataDir, vol, last.gid, { path: img });
    expect(sha1(readFileSync(img))).toBe(sha1(readFileSync(file)));
    expect((await wdevStatus(s.dataDir, vol)).oldestLsid).toBe(last.lsid);
  });

  it('overflows when more than the ring is written, keeps writing, and resumes after the planned hash backup', { timeout: 120_000 }, async () => {
    expect(planFor(await observeWdevStorage(s.dataDir, vol)).steps).toEqual([]);
    scribble(file, 6 << 20);
    const st = await wdevStatus(s.dataDir, vol);
    expect(st.overflow).toBe(true);
    expect(st.overflowReason).toBe('ring-full');
    expect(formatStatus(st)).toContain('overflow:    yes (the log ring filled up before it was shipped): a hash backup is needed');
    // Writes keep working while overflowed.
    const probe = randomBytes(8192);
    const fd = openSync(file, 'r+');
    writeSync(fd, probe, 0, probe.length, 4096 * 100);
    fsyncSync(fd);
    closeSync(fd);
    expect(readFileSync(file).subarray(4096 * 100, 4096 * 100 + 8192).equals(probe)).toBe(true);

    await expect(snapshotWdev(s.dataDir, vol)).rejects.toBeInstanceOf(WdevOverflowError);
    const observed = await observeWdevStorage(s.dataDir, vol);
    expect(observed.overflow).toBe(true);
    expect(planFor(observed).steps.map((x) => x.kind)).toEqual(['hash-backup']);

    const before = sha1(readFileSync(file));
    const hb = await backupWdev(s.dataDir, vol);
    expect(hb.kind).toBe('hash');
    expect(hb.changedBytes).toBeGreaterThan(0);
    expect(planFor(await observeWdevStorage(s.dataDir, vol)).steps).toEqual([]);

    const img = join(s.dir, `hash-${hb.gid}.img`);
    await restore(s.dataDir, vol, hb.gid, { path: img });
    expect(sha1(readFileSync(img))).toBe(before);

    scribble(file, 1 << 20);
    const snap = (await snapshotWdev(s.dataDir, vol))!;
    const img2 = join(s.dir, `after-${snap.gid}.img`);
    await restore(s.dataDir, vol, snap.gid, { path: img2 });
    expect(sha1(readFileSync(img2))).toBe(sha1(readFileSync(file)));
    expect((await wdevStatus(s.dataDir, vol)).overflow).toBe(false);
  });
});
