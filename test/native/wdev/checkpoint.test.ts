// The served wdev's checkpoint (every second): it syncs the log and the data device and rewrites the
// super — three flushes of the disk's cache — only when something was written, applied or freed
// since the last one, so an idle volume costs the disk nothing (a host with a hundred idle volumes
// flushed 300 times a second). The super's generation (byte 4096 + 144) counts its writes.
import { readFileSync } from 'node:fs';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { controlRequest } from '../../../native/lib/wdev/control.js';
import { createWdev } from '../../../native/lib/wdev/create.js';
import { setOldest, syncLog } from '../../../native/lib/wdev/log-position.js';
import { wdevPaths } from '../../../native/lib/wdev/paths.js';
import { serveWdev } from '../../../native/lib/wdev/serve.js';
import { stopWdev } from '../../../native/lib/wdev/stop.js';
import { Scratch, wdevSkipReason, writeAndSync } from './fixture.js';

const skip = wdevSkipReason();

describe.skipIf(skip !== null)(`a served wdev's checkpoint${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const s = new Scratch('checkpoint');
  const vol = 'ck';
  const p = () => wdevPaths(s.dataDir, vol);
  const generation = () => Number(readFileSync(p().ldev).readBigUInt64LE(4096 + 144));
  const checkpoint = () => controlRequest(p().socket, 'checkpoint');

  beforeAll(async () => {
    s.volume(vol);
    await createWdev(s.dataDir, vol, { sizeBytes: 16 << 20, ringBytes: 8 << 20 });
    await serveWdev(s.dataDir, vol, { checkpointMs: 3_600_000 }); // checkpoints only when asked
  }, 60_000);
  afterAll(() => s.cleanup());

  it('writes the super when something was written, applied or freed since the last one, and not when idle; a clean stop still records itself', { timeout: 60_000 }, async () => {
    writeAndSync(p().file, 0, 1 << 20, 0x41);
    await checkpoint();
    const g0 = generation();
    await checkpoint();
    await checkpoint();
    expect(generation()).toBe(g0);

    writeAndSync(p().file, 1 << 20, 4096, 0x42);
    await checkpoint();
    expect(generation()).toBe(g0 + 1);
    await checkpoint();
    expect(generation()).toBe(g0 + 1);

    await setOldest(p(), vol, (await syncLog(p(), vol)).permanentLsid);
    await checkpoint();
    expect(generation()).toBe(g0 + 2);

    // A clean stop zeroes the serving boot id in the super even with nothing else to record.
    await stopWdev(s.dataDir, vol);
    expect(generation()).toBe(g0 + 3);
    expect(readFileSync(p().ldev).subarray(4096 + 160, 4096 + 176).equals(Buffer.alloc(16))).toBe(true);
  });
});
