// What one pass of the shipping loop costs the served wdev: a batch flushes the log once (the
// poll for new log reads where the log ends without a flush), and a poll that finds nothing new
// flushes nothing. Each flush is an fdatasync of the ring's file: a flush of the disk's cache under
// the writer's own IOs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { backupWdev } from '../../../native/lib/wdev/capture.js';
import { controlRequest } from '../../../native/lib/wdev/control.js';
import { createWdev } from '../../../native/lib/wdev/create.js';
import { wdevPaths } from '../../../native/lib/wdev/paths.js';
import { serveWdev } from '../../../native/lib/wdev/serve.js';
import { shipLogBatch, type BatchSender } from '../../../native/lib/wdev/ship-log.js';
import { Scratch, wdevSkipReason, writeAndSync } from './fixture.js';

const skip = wdevSkipReason();

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
});
