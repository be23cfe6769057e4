/**
 * A wdev volume whose archive is on another host: the full backup, the diffs of each snapshot
 * (converted from the log) and a hash backup cross the wire, and every gid restores on the remote
 * archive to the bytes the volume had at that gid. Root and /dev/fuse only.
 */
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { initArchiveVolume, restore } from '../../../native/lib/archive/index.js';
import { backupWdev, snapshotWdev } from '../../../native/lib/wdev/capture.js';
import { createWdev } from '../../../native/lib/wdev/create.js';
import { wdevPaths } from '../../../native/lib/wdev/paths.js';
import { serveWdev } from '../../../native/lib/wdev/serve.js';
import { stopWdev } from '../../../native/lib/wdev/stop.js';
import { remoteArchive } from '../../../native/lib/wire/index.js';
import { Scratch, sha1File, wdevSkipReason, writeAndSync } from '../wdev/fixture.js';
import { client, makePki, serve } from './_fleet.js';

const skip = wdevSkipReason();
if (skip) console.warn(`wdev over the wire skipped: ${skip}`);

describe.skipIf(skip)('a wdev volume archived on another host', () => {
  const s = new Scratch('wire');
  const vol = 'wv';
  s.volume(vol);
  afterAll(() => s.cleanup(), 120_000);

  it('ships its full backup, its snapshots’ diffs and a hash backup; each gid restores to its sha1', { timeout: 120_000 }, async () => {
    const pki = await makePki(['db-1', 'ar-1'], join(s.dir, 'pki'));
    const ar1 = join(s.dir, 'ar-1');
    const { server, peer } = await serve(pki, 'ar-1', { address: '127.0.0.12', dataDir: ar1 });
    try {
      const archive = remoteArchive({ client: client(pki, 'db-1'), peer, dataDir: s.dataDir, retry: { attempts: 3, firstDelayMs: 100 } });
      await initArchiveVolume(ar1, vol);
      await createWdev(s.dataDir, vol, { sizeBytes: 8 << 20, ringBytes: 4 << 20 });
      const p = wdevPaths(s.dataDir, vol);
      await serveWdev(s.dataDir, vol);
      writeAndSync(p.file, 0, 256 << 10, 0x31);
      const full = await backupWdev(s.dataDir, vol, { archive });
      expect(full.kind).toBe('full');
      const sums = new Map<number, string>([[full.gid, sha1File(p.file)]]);
      for (let k = 0; k < 3; k++) {
        writeAndSync(p.file, (k + 1) << 20, 128 << 10, 0x40 + k);
        const snap = await snapshotWdev(s.dataDir, vol, { archive });
        expect(snap!.shipped.length).toBeGreaterThan(0);
        sums.set(snap!.gid, sha1File(p.file));
      }
      writeAndSync(p.file, 5 << 20, 64 << 10, 0x55);
      const hash = await backupWdev(s.dataDir, vol, { archive });
      expect(hash.kind).toBe('hash');
      sums.set(hash.gid, sha1File(p.file));
      for (const [gid, sum] of sums) expect(sha1File((await restore(ar1, vol, gid, { path: join(s.dir, `r${gid}.img`) })).path)).toBe(sum);
      await stopWdev(s.dataDir, vol);
    } finally {
      await server.close();
    }
  });
});
