import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { initArchiveVolume, observeArchive } from '../../../native/lib/archive/index.js';
import { localArchive } from '../../../native/lib/storage/archive-target.js';
import { onBoard } from '../../../reconciler/drivers/native/wdev-storage.js';
import { SendBoard, type Sending } from '../../../reconciler/fleet/send-board.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("a wdev's transfers to another host on the status page's board", () => {
  it('lists a full backup while it runs, with the volume, the peer and its size, and drops it when it ends', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'walbctl-board-'));
    dirs.push(dir);
    const device = join(dir, 'dev.img');
    writeFileSync(device, randomBytes(1 << 20));
    await initArchiveVolume(dir, 'wv');
    const board = new SendBoard();
    const seen: Sending[][] = [];
    // A real archive (a data directory here) stands where the wire's remote archive would.
    const target = onBoard(localArchive(dir), board, 'ar-1');
    await target.fullBackup('wv', { uuid: 'ab'.repeat(16), devicePath: device, sizeBytes: 1 << 20, bulkSize: 256 << 10 }, {
      snap: { b: 0, e: 1 }, id: 'f1', timestamp: new Date().toISOString(), onProgress: () => seen.push(board.list()),
    });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[0]).toMatchObject([{ peer: 'ar-1', kind: 'full-backup', volume: 'wv', total: 1 << 20 }]);
    expect(board.list()).toEqual([]);
    expect((await observeArchive(dir, 'wv'))?.state).toBe('Archived');
  });
});
