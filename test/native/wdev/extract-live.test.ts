// What a wdev acknowledged is visible to `walbctl wdev extract` at once, with no flush by anyone:
// writes through the loop device with O_DIRECT (acknowledged by the wdev, never fsynced) and fsync'd
// writes, then extract run straight after, without `blockdev --flushbufs`.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { attachWdev } from '../../../native/lib/wdev/attach.js';
import { createWdev } from '../../../native/lib/wdev/create.js';
import { serveWdev } from '../../../native/lib/wdev/serve.js';
import { walbctl } from '../../helpers/cli.js';
import { Scratch, wdevSkipReason } from './fixture.js';

const skip = wdevSkipReason('dd', 'losetup');

describe.skipIf(skip)('wdev extract right after writes', () => {
  const s = new Scratch('extract-live');
  const vol = 'xl';
  let device = '';
  beforeAll(async () => {
    s.volume(vol);
    await createWdev(s.dataDir, vol, { sizeBytes: 8 << 20, ringBytes: 16 << 20 });
    await serveWdev(s.dataDir, vol);
    device = (await attachWdev(s.dataDir, vol)).device;
  }, 60_000);
  afterAll(() => s.cleanup(), 120_000);

  const extract = async (name: string) => {
    const r = await walbctl(['wdev', 'extract', vol, '-o', join(s.dir, name), '--json', '--data-dir', s.dataDir]);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as { packs: number; ios: number; from: number; to: number };
  };

  it('shows O_DIRECT writes through the loop device without a flush', { timeout: 60_000 }, async () => {
    execFileSync('dd', ['if=/dev/urandom', `of=${device}`, 'bs=4096', 'count=8', 'oflag=direct', 'status=none']);
    const r = await extract('direct.wlog');
    expect(r.packs).toBeGreaterThan(0);
    expect(r.ios).toBeGreaterThanOrEqual(1);
  });

  it('shows fsync\'d writes through the loop device without a flush', { timeout: 60_000 }, async () => {
    const before = await extract('before.wlog');
    execFileSync('dd', ['if=/dev/urandom', `of=${device}`, 'bs=4096', 'count=4', 'seek=64', 'conv=fsync', 'status=none']);
    const after = await extract('fsync.wlog');
    expect(after.to).toBeGreaterThan(before.to);
    expect(after.packs).toBeGreaterThan(before.packs);
  });
});
