/**
 * A storage daemon plans and runs a hash backup to an archive daemon on another host: db-1
 * (127.0.0.21) backs its scan-captured volume up to ar-1 (127.0.0.22) over mutual TLS; then db-1's
 * hash index is lost while the volume changes (under the storage lock, so the test knows the bytes).
 * db-1's plan turns to `hash-backup archive=ar-1`, ar-1 hashes its image with a seed of that run,
 * db-1 sends only the bulks that differ, and the gid it made restores on ar-1 to the volume's sha1;
 * snapshots go on after it (the outbox kept up with the archive).
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { deleteRestored, observeArchive, restore } from '../../native/lib/archive/index.js';
import { withLock } from '../../native/lib/archive/lock.js';
import { observeStorage, storagePaths } from '../../native/lib/storage/index.js';
import { makeRepo, waitFor, type RunningDaemon } from './daemon-harness.js';
import { fleetHostYaml, makeHosts, startHostDaemon, stopDaemons } from './fleet-harness.js';

const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const SIZE = 8 << 20;
const sha1 = (path: string): string => createHash('sha1').update(readFileSync(path)).digest('hex');

const volumeYaml = `volumes:
  pg:
    device:
      path: volumes/pg.img
      size: 8MiB
    capture: scan
    proxies: []
    archives: [ar-1]
    compression: zstd
    snapshots:
      every: 2s
    retention:
      keepLast: 100
`;

const daemons: RunningDaemon[] = [];
let root = '';
afterAll(async () => {
  await stopDaemons(daemons);
  if (process.env.FLEET_LOGS) writeFileSync(process.env.FLEET_LOGS, daemons.flatMap((d) => d.logs).map((l) => JSON.stringify(l)).join('\n'));
  if (root) rmSync(root, { recursive: true, force: true });
});

describe.skipIf(!hasOpenssl)('A hash backup between two daemons', () => {
  it('db-1 loses its hash index, plans and runs a hash backup to ar-1 that sends only what differs, and the new gid restores to the source’s sha1', { timeout: 180_000 }, async () => {
    root = mkdtempSync(join(tmpdir(), 'walbctl-hashbkp-'));
    const [db1, ar1] = await makeHosts(root, [
      { name: 'db-1', address: '127.0.0.21' },
      { name: 'ar-1', address: '127.0.0.22' },
    ]);
    const device = join(db1!.dataDir, 'volumes', 'pg.img');
    mkdirSync(join(db1!.dataDir, 'volumes'), { recursive: true });
    writeFileSync(device, randomBytes(SIZE));
    const repo = makeRepo();
    repo.commit('db-1 stores pg, ar-1 archives it', {
      'hosts/db-1.yaml': fleetHostYaml(db1!, ['storage'], volumeYaml),
      'hosts/ar-1.yaml': fleetHostYaml(ar1!, ['archive']),
    });
    for (const h of [ar1!, db1!]) daemons.push(startHostDaemon(repo.dir, h.name));
    const logs: Record<string, unknown>[] = [];
    const timer = setInterval(() => logs.splice(0, logs.length, ...daemons.flatMap((d) => d.logs).filter((l) => l.level !== 20)), 200);
    timer.unref();

    await waitFor('ar-1 to hold pg and a first snapshot', async () => ((await observeArchive(ar1!.dataDir, 'pg'))?.restorable.length ?? 0) >= 2, { timeoutMs: 60_000, logs });

    // Under the storage lock: the index is lost and 1 MiB of the volume changes.
    const lock = storagePaths(db1!.dataDir, 'pg').lock;
    const changed = await withLock(lock, async () => {
      const latest = (await observeStorage(db1!.dataDir, 'pg'))!.latestGid!;
      await rm(storagePaths(db1!.dataDir, 'pg').index);
      const h = await open(device, 'r+');
      try {
        for (let i = 0; i < 4; i++) await h.write(randomBytes(256 << 10), 0, undefined, (1 + 2 * i) * (1 << 20));
        await h.sync();
      } finally {
        await h.close();
      }
      return { latest, sha: sha1(device) };
    }, { volume: 'pg', operation: 'test-write', timeoutMs: 30_000 });

    // db-1 plans the hash backup (its plan names it) and ar-1 receives a compared diff past that gid.
    const diff = await waitFor('a hash backup to land on ar-1', async () => (await observeArchive(ar1!.dataDir, 'pg'))?.diffs.find((d) => d.compared && d.e.b > changed.latest), { timeoutMs: 60_000, logs });
    expect(daemons[1]!.logs.some((l) => JSON.stringify(l).includes('hash-backup'))).toBe(true);
    // Only the changed bulks travelled: the diff is about the 1 MiB written, not the 8 MiB volume.
    expect(diff.dataSize).toBeGreaterThan(1 << 20);
    expect(diff.dataSize).toBeLessThan(2 << 20);
    expect(diff.e).toEqual({ b: diff.e.b, e: diff.e.b });
    const out = join(root, 'restored.img');
    await restore(ar1!.dataDir, 'pg', diff.e.b, { path: out, mode: 'copy' });
    expect(sha1(out)).toBe(changed.sha);
    await deleteRestored(ar1!.dataDir, 'pg', diff.e.b);
    rmSync(out, { force: true });
    expect(await observeStorage(db1!.dataDir, 'pg')).toMatchObject({ overflow: false });

    // Snapshots go on from the hash backup's gid: a later write reaches ar-1 and restores too.
    const later = await withLock(lock, async () => {
      const h = await open(device, 'r+');
      try {
        await h.write(randomBytes(64 << 10), 0, undefined, 5 << 20);
        await h.sync();
      } finally {
        await h.close();
      }
      return { latest: (await observeStorage(db1!.dataDir, 'pg'))!.latestGid!, sha: sha1(device) };
    }, { volume: 'pg', operation: 'test-write', timeoutMs: 30_000 });
    const next = await waitFor('a snapshot after the hash backup to reach ar-1', async () => (await observeArchive(ar1!.dataDir, 'pg'))?.restorable.find((r) => r.gid > later.latest), { timeoutMs: 40_000, logs });
    await restore(ar1!.dataDir, 'pg', next.gid, { path: out, mode: 'copy' });
    expect(sha1(out)).toBe(later.sha);
  });
});
