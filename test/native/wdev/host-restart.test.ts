// A log served by an earlier boot of the host and never closed went down with the host: a write the
// log had not flushed may be on the data device and not in the log, where the archive would never see
// it. Start-up still replays the log, then marks the volume overflowed so the next backup is a hash
// backup. A kill of the process alone (same boot) keeps capture going. The boot id is played with
// WALBCTL_WDEV_BOOT_ID, which walbctl-wdev reads instead of /proc/sys/kernel/random/boot_id.
import { readFileSync } from 'node:fs';

import { afterAll, afterEach, describe, expect, it } from 'vitest';

import { backupWdev } from '../../../native/lib/wdev/capture.js';
import { createWdev } from '../../../native/lib/wdev/create.js';
import { wdevPaths } from '../../../native/lib/wdev/paths.js';
import { serveWdev } from '../../../native/lib/wdev/serve.js';
import { wdevStatus } from '../../../native/lib/wdev/status.js';
import { stopWdev } from '../../../native/lib/wdev/stop.js';
import { killAndWait, readAt, Scratch, wdevSkipReason, writeAndSync } from './fixture.js';

const BOOT_A = '11111111-2222-3333-4444-555555555555';
const BOOT_B = '66666666-7777-8888-9999-aaaaaaaaaaaa';




async function serveAs(dataDir: string, vol: string, boot: string): Promise<number> {
  process.env.WALBCTL_WDEV_BOOT_ID = boot;
  try {
    return (await serveWdev(dataDir, vol)).pid;
  } finally {
    delete process.env.WALBCTL_WDEV_BOOT_ID;
  }
}

const skip = wdevSkipReason();

describe.skipIf(skip)('a wdev whose host restarted while it was served', () => {
  const s = new Scratch('reboot');
  const vol = 'reboot';
  s.volume(vol);
  afterEach(() => {
    delete process.env.WALBCTL_WDEV_BOOT_ID;
  });
  afterAll(() => s.cleanup(), 120_000);

  it('replays the log, marks the volume overflowed and resumes capture after the hash backup', { timeout: 90_000 }, async () => {
    await createWdev(s.dataDir, vol, { sizeBytes: 8 << 20, ringBytes: 4 << 20 });
    const p = wdevPaths(s.dataDir, vol);
    const first = await serveAs(s.dataDir, vol, BOOT_A);
    await backupWdev(s.dataDir, vol); // capture starts: a full backup
    writeAndSync(p.file, 0, 64 << 10, 0x21);
    await killAndWait(first);

    // The same boot: the process died, the host did not; capture goes on.
    const again = await serveAs(s.dataDir, vol, BOOT_A);
    expect(await wdevStatus(s.dataDir, vol)).toMatchObject({ overflow: false, overflowReason: null });
    writeAndSync(p.file, 1 << 20, 64 << 10, 0x22);
    await killAndWait(again);

    // Another boot: served and never closed, so the host went down with it.
    const logBefore = readFileSync(p.log, 'utf8').length;
    await serveAs(s.dataDir, vol, BOOT_B);
    const st = await wdevStatus(s.dataDir, vol);
    expect(st).toMatchObject({ overflow: true, overflowReason: 'host-restarted' });
    expect(readFileSync(p.log, 'utf8').slice(logBefore)).toContain('the host restarted while the log was served');
    // Every fsync-acknowledged write is still there: the log was replayed before the flag was set.
    expect(readAt(p.file, 0, 64 << 10).equals(Buffer.alloc(64 << 10, 0x21))).toBe(true);
    expect(readAt(p.file, 1 << 20, 64 << 10).equals(Buffer.alloc(64 << 10, 0x22))).toBe(true);

    const hb = await backupWdev(s.dataDir, vol);
    expect(hb.kind).toBe('hash');
    expect((await wdevStatus(s.dataDir, vol)).overflow).toBe(false);

    // Closed cleanly, then served by yet another boot: nothing to fear, capture goes on.
    await stopWdev(s.dataDir, vol);
    await serveAs(s.dataDir, vol, BOOT_A);
    expect((await wdevStatus(s.dataDir, vol)).overflow).toBe(false);
    await stopWdev(s.dataDir, vol);
  });
});
