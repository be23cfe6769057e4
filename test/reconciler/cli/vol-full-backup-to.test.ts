/**
 * `walbctl vol full-backup VOL --to HOST`: a full backup to an archive on another host, over the
 * wire with mutual TLS (a real server of ar-1 on 127.0.0.12, certificates made here), reporting the
 * send's progress, and the archive's base matching the volume byte for byte.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';

import { archivePaths, initArchiveVolume, observeArchive } from '../../../native/lib/archive/index.js';
import type { ProgressEvent } from '../../../native/lib/archive/progress.js';
import { initVolume } from '../../../native/lib/storage/index.js';
import { loadAllHosts } from '../../../reconciler/apply/host-context.js';
import { fullBackupTo } from '../../../reconciler/cli/commands/vol/_remote.js';
import { WireEndpoint } from '../../../reconciler/fleet/wire-endpoint.js';
import { fleetHostYaml, makeHosts } from '../../e2e/fleet-harness.js';

const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const root = mkdtempSync(join(tmpdir(), 'walbctl-fullto-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.skipIf(!hasOpenssl)('vol full-backup --to HOST', () => {
  it('sends the volume to the archive on another host over the wire, with progress, and the base equals the volume', { timeout: 60_000 }, async () => {
    const [db1, ar1] = await makeHosts(root, [{ name: 'db-1', address: '127.0.0.11' }, { name: 'ar-1', address: '127.0.0.12' }]);
    const tree = join(root, 'tree');
    mkdirSync(join(tree, 'hosts'), { recursive: true });
    writeFileSync(join(tree, 'hosts/db-1.yaml'), fleetHostYaml(db1!, ['storage'], 'volumes:\n  pg:\n    device:\n      path: pg.img\n      size: 2MiB\n    capture: scan\n    proxies: []\n    archives: [ar-1]\n    snapshots:\n      every: 1h\n    retention:\n      keepLast: 3\n'));
    writeFileSync(join(tree, 'hosts/ar-1.yaml'), fleetHostYaml(ar1!, ['archive']));
    const desired = await loadAllHosts(tree);
    const device = join(db1!.dataDir, 'pg.img');
    writeFileSync(device, randomBytes(2 << 20));
    await initVolume(db1!.dataDir, 'pg', { devicePath: device });
    await initArchiveVolume(ar1!.dataDir, 'pg');
    const server = await WireEndpoint.start({ host: desired.hosts['ar-1']!, desired: () => desired, log: pino({ level: 'silent' }), serve: true });
    try {
      const events: ProgressEvent[] = [];
      const r = await fullBackupTo(tree, 'db-1', 'pg', 'ar-1', (e) => events.push(e));
      expect(r.ship.base).toBe('sent');
      const sends = events.filter((e) => e.phase === 'send to ar-1');
      expect(sends.length).toBeGreaterThan(0);
      expect(sends.at(-1)).toMatchObject({ done: 2 << 20, total: 2 << 20 });
      expect((await observeArchive(ar1!.dataDir, 'pg'))?.state).toBe('Archived');
      // The base |0,1| is dirty (not restorable): compare the base image the archive installed.
      const base = readFileSync(archivePaths(ar1!.dataDir, 'pg').base);
      expect(createHash('sha1').update(base).digest('hex')).toBe(createHash('sha1').update(readFileSync(device)).digest('hex'));
    } finally {
      await server.close();
    }
  });
});
