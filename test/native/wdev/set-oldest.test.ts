// set-oldest on a served wdev (the shipper's "the proxy holds the log up to here"): it moves the
// oldest lsid at once and leaves the super's write to the next checkpoint, so a shipped batch costs
// no super write (a flush of the disk's cache) of its own. A crash before that checkpoint leaves the
// older oldest lsid on disk, and the log from it must still be whole: its space was not reused.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { backupWdev, snapshotWdev } from '../../../native/lib/wdev/capture.js';
import { controlRequest } from '../../../native/lib/wdev/control.js';
import { createWdev } from '../../../native/lib/wdev/create.js';
import { extractWlog, logStatus, setOldest, syncLog } from '../../../native/lib/wdev/log-position.js';
import { wdevPaths } from '../../../native/lib/wdev/paths.js';
import { serveWdev } from '../../../native/lib/wdev/serve.js';
import { killAndWait, Scratch, wdevSkipReason, writeAndSync } from './fixture.js';

const skip = wdevSkipReason();

describe.skipIf(skip !== null)(`set-oldest on a served wdev${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const s = new Scratch('set-oldest');
  const vol = 'so';
  const p = () => wdevPaths(s.dataDir, vol);
  // The super sector's oldest lsid (native/wdev/design.md: byte 4096 + 112, little-endian).
  const superOldest = () => Number(readFileSync(p().ldev).readBigUInt64LE(4096 + 112));

  beforeAll(async () => {
    s.volume(vol);
    await createWdev(s.dataDir, vol, { sizeBytes: 16 << 20, ringBytes: 8 << 20 });
  }, 60_000);
  afterAll(() => s.cleanup());

  it('moves the oldest lsid at once, writes it to the super at the next checkpoint, and after a crash before one keeps the older lsid with the log from it whole', { timeout: 60_000 }, async () => {
    const served = await serveWdev(s.dataDir, vol, { checkpointMs: 3_600_000 }); // checkpoints only when asked
    writeAndSync(p().file, 0, 1 << 20, 0x31);
    const a = (await syncLog(p(), vol)).permanentLsid;
    await controlRequest(p().socket, 'checkpoint');
    const onDisk = superOldest();
    expect(onDisk).toBeLessThan(a);

    await setOldest(p(), vol, a);
    expect((await logStatus(p(), vol)).oldestLsid).toBe(a);
    expect(superOldest()).toBe(onDisk);
    await controlRequest(p().socket, 'checkpoint');
    expect(superOldest()).toBe(a);

    writeAndSync(p().file, 1 << 20, 1 << 20, 0x32);
    const b = (await syncLog(p(), vol)).permanentLsid;
    await controlRequest(p().socket, 'checkpoint');
    await setOldest(p(), vol, b);
    expect(superOldest()).toBe(a);
    await killAndWait(served.pid);

    await serveWdev(s.dataDir, vol);
    expect((await logStatus(p(), vol)).oldestLsid).toBe(a);
    const x = await extractWlog(p(), vol, { from: a, to: b }, join(s.dir, 'a-b.wlog'));
    expect(x.ios).toBeGreaterThan(0);
    expect(x.to).toBe(b);
    // The shipper's next set-oldest moves it on from there.
    await setOldest(p(), vol, b);
    expect((await logStatus(p(), vol)).oldestLsid).toBe(b);
  });

  // Where the wdev writes its log with O_DIRECT, a page of the ldev left in the page cache makes the
  // next direct log write over it invalidate the page (bench:ship, 2026-12-06): the header check
  // reads the pack's block direct as the shipper's frame walk does. fincore counts the cached bytes.
  const fincore = spawnSync('fincore', ['--version']).status === 0;
  it.skipIf(!fincore)(`checks the pack header at the new oldest lsid without leaving the ldev's pages in the page cache${fincore ? '' : ' (skipped: no fincore)'}`, { timeout: 60_000 }, async () => {
    const v = 'so-direct';
    s.volume(v);
    await createWdev(s.dataDir, v, { sizeBytes: 16 << 20, ringBytes: 8 << 20 });
    const q = wdevPaths(s.dataDir, v);
    const served = await serveWdev(s.dataDir, v, { checkpointMs: 3_600_000 }); // no super write in between
    try {
      writeAndSync(q.file, 0, 1 << 20, 0x34);
      const a = (await syncLog(q, v)).permanentLsid;
      writeAndSync(q.file, 1 << 20, 64 << 10, 0x35);
      const b = (await syncLog(q, v)).permanentLsid;
      const cached = () => Number(execFileSync('fincore', ['--bytes', '--noheadings', '--output', 'RES', q.ldev], { encoding: 'utf8' }).trim());
      // Drop the ldev's cached pages (GNU dd: nocache with nothing written advises the whole file away).
      execFileSync('dd', [`of=${q.ldev}`, 'oflag=nocache', 'conv=notrunc,fdatasync', 'count=0', 'status=none']);
      expect(cached()).toBe(0);
      // `a` starts the second write's pack, below the permanent lsid: its header is read and checked.
      await expect(setOldest(q, v, a + 1)).rejects.toThrow(/not the start of a logpack/);
      await setOldest(q, v, a);
      expect((await logStatus(q, v)).oldestLsid).toBe(a);
      expect(a).toBeLessThan(b);
      expect(cached()).toBe(0);
    } finally {
      await killAndWait(served.pid);
    }
  });

  it('writes the oldest lsid a snapshot shipped on the host freed to the super before the ship returns (a crash then keeps the ring free)', { timeout: 60_000 }, async () => {
    const local = 'so-local';
    s.volume(local);
    await createWdev(s.dataDir, local, { sizeBytes: 16 << 20, ringBytes: 8 << 20 });
    const q = wdevPaths(s.dataDir, local);
    const served = await serveWdev(s.dataDir, local, { checkpointMs: 3_600_000 }); // checkpoints only when asked
    await backupWdev(s.dataDir, local);
    writeAndSync(q.file, 0, 1 << 20, 0x33);
    const snap = (await snapshotWdev(s.dataDir, local))!;
    expect(Number(readFileSync(q.ldev).readBigUInt64LE(4096 + 112))).toBe(snap.lsid);
    await killAndWait(served.pid);
    await serveWdev(s.dataDir, local);
    const st = (await logStatus(q, local));
    expect(st.oldestLsid).toBe(snap.lsid);
    expect(st.usagePb).toBe(0);
  });
});
