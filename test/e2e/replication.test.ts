/**
 * Replication between daemons: db-1 (127.0.0.21) backs pg up to ar-1 (.22), and ar-1's daemon
 * replicates it to ar-2 (.23) on the pair's schedule over mutual TLS — a full replication first, then
 * the diffs — each host a `walbctl daemon` process from one git repository. Every restorable gid on
 * ar-2 restores to the sha1 the source had when that gid's snapshot was taken, and ar-1's status and
 * metrics say where ar-2 stands.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { deleteRestored, observeArchive, restore } from '../../native/lib/archive/index.js';
import { withLock } from '../../native/lib/archive/lock.js';
import { observeStorage, storagePaths } from '../../native/lib/storage/index.js';
import type { DaemonStatusView } from '../../reconciler/daemon/status-view.js';
import { makeRepo, waitFor, type RunningDaemon } from './daemon-harness.js';
import { fleetHostYaml, makeHosts, startHostDaemon, stopDaemons, type FleetHost } from './fleet-harness.js';

const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const SIZE = 4 << 20;
const sha1 = (path: string): string => createHash('sha1').update(readFileSync(path)).digest('hex');

const volumeYaml = `volumes:
  pg:
    device:
      path: volumes/pg.img
      size: 4MiB
    capture: scan
    proxies: []
    archives:
      - ar-1
      - { host: ar-2, primary: false }
    snapshots:
      every: 2s
    retention:
      keepLast: 100
    replication:
      - from: ar-1
        to: ar-2
        every: 2s
`;

const daemons: RunningDaemon[] = [];
let root = '';
afterAll(async () => {
  await stopDaemons(daemons);
  if (process.env.REPL_LOGS) writeFileSync(process.env.REPL_LOGS, daemons.flatMap((d) => d.logs).map((l) => JSON.stringify(l)).join('\n'));
  if (root) rmSync(root, { recursive: true, force: true });
});

describe.skipIf(!hasOpenssl)('Replication between daemons', () => {
  it('ar-1 replicates pg to ar-2 on its schedule, every restorable gid on ar-2 matches the source, and ar-1 reports where ar-2 stands', { timeout: 180_000 }, async () => {
    root = mkdtempSync(join(tmpdir(), 'walbctl-repl-e2e-'));
    const [db1, ar1, ar2] = await makeHosts(root, [
      { name: 'db-1', address: '127.0.0.21' },
      { name: 'ar-1', address: '127.0.0.22' },
      { name: 'ar-2', address: '127.0.0.23' },
    ]);
    const device = join(db1!.dataDir, 'volumes', 'pg.img');
    mkdirSync(join(db1!.dataDir, 'volumes'), { recursive: true });
    writeFileSync(device, randomBytes(SIZE));
    const writes: { after: number; sha: string }[] = [{ after: -1, sha: sha1(device) }];
    const repo = makeRepo();
    repo.commit('db-1 stores pg, ar-1 archives it and replicates it to ar-2', {
      'hosts/db-1.yaml': fleetHostYaml(db1!, ['storage'], volumeYaml),
      'hosts/ar-1.yaml': fleetHostYaml(ar1!, ['archive']),
      'hosts/ar-2.yaml': fleetHostYaml(ar2!, ['archive']),
    });
    for (const h of [ar2!, ar1!, db1!]) daemons.push(startHostDaemon(repo.dir, h.name));
    const logs = () => daemons.flatMap((d) => d.logs).filter((l) => l.level !== 20);

    await waitFor('ar-1 to hold pg', async () => (await observeArchive(ar1!.dataDir, 'pg'))?.state === 'Archived', { timeoutMs: 60_000, logs: logs() });
    const lock = storagePaths(db1!.dataDir, 'pg').lock;
    const writeRound = async (round: number): Promise<void> => {
      await withLock(lock, async () => {
        const latest = (await observeStorage(db1!.dataDir, 'pg'))!.latestGid ?? 0;
        const h = await open(device, 'r+');
        try {
          for (let i = 0; i < 8; i++) await h.write(randomBytes(4096 * (1 + (i % 4))), 0, undefined, 4096 * Math.floor(Math.random() * (SIZE / 4096 - 4)));
          await h.sync();
        } finally {
          await h.close();
        }
        writes.push({ after: latest, sha: sha1(device) });
      }, { volume: 'pg', operation: 'test-write', timeoutMs: 30_000 });
      const after = writes.at(-1)!.after;
      await waitFor(`a snapshot after write ${round + 1} to reach ar-1`, async () => ((await observeArchive(ar1!.dataDir, 'pg'))?.restorable.at(-1)?.gid ?? 0) > after, { timeoutMs: 40_000, logs: logs() });
    };
    for (let round = 0; round < 2; round++) await writeRound(round);
    const target = (await observeArchive(ar1!.dataDir, 'pg'))!.restorable.at(-1)!.gid;
    await waitFor(`ar-2 to hold pg up to gid ${target} by replication`, async () => ((await observeArchive(ar2!.dataDir, 'pg'))?.restorable.at(-1)?.gid ?? 0) >= target, { timeoutMs: 60_000, logs: logs() });
    // Whether the first replication was full at gid 2 or at gid 3 depends on the daemons' timing; one more
    // write after it makes the next one a diff, so ar-2 holds at least two restorable gids either way.
    await writeRound(2);
    const target2 = (await observeArchive(ar1!.dataDir, 'pg'))!.restorable.at(-1)!.gid;
    await waitFor(`ar-2 to hold pg up to gid ${target2} by a diff replication`, async () => ((await observeArchive(ar2!.dataDir, 'pg'))?.restorable.at(-1)?.gid ?? 0) >= target2, { timeoutMs: 60_000, logs: logs() });

    const restorable = (await observeArchive(ar2!.dataDir, 'pg'))!.restorable;
    expect(restorable.length).toBeGreaterThanOrEqual(2);
    const out = join(root, 'restored.img');
    for (const r of restorable) {
      const expected = writes.filter((w) => w.after < r.gid).at(-1)!.sha;
      await restore(ar2!.dataDir, 'pg', r.gid, { path: out, mode: 'copy' });
      expect({ gid: r.gid, sha1: sha1(out) }).toEqual({ gid: r.gid, sha1: expected });
      await deleteRestored(ar2!.dataDir, 'pg', r.gid);
      rmSync(out, { force: true });
    }

    const cursor = (await observeArchive(ar1!.dataDir, 'pg'))!.replicas['ar-2'];
    expect(cursor?.gid).toBeGreaterThanOrEqual(target2);
    const st = await waitFor('ar-1 to report ar-2 in its status', async () => {
      const res = await fetch(`http://${ar1!.address}:${ar1!.statusPort}/status`).catch(() => null);
      const s = res?.ok ? ((await res.json()) as DaemonStatusView) : null;
      const pair = s?.volumes.pg?.replication?.find((p) => p.to === 'ar-2');
      return pair && pair.targetGid !== null && pair.targetGid >= target ? pair : null;
    }, { timeoutMs: 20_000, logs: logs() });
    expect(st).toMatchObject({ mode: 'async', lagging: null });
    const metrics = await (await fetch(`http://${ar1!.address}:${ar1!.statusPort}/metrics`)).text();
    expect(metrics).toMatch(/walbctl_replication_target_gid\{host="ar-1",volume="pg",target="ar-2"\} [1-9]/);
  });
});
