/**
 * A replacement host's restore, end to end: storage db-1 (127.0.0.31) backs its volume up to archive
 * ar-1 (127.0.0.32), both real `walbctl daemon` processes talking mutual TLS with certificates made
 * here. `walbctl archive restore --from ar-1` run as db-1 brings every restorable gid onto a file on
 * db-1, equal by sha1 to what the source held at that snapshot; db-3, which pg's restoreHosts names,
 * may restore it too; db-2, a valid host of the tree that is neither, is refused by the CLI and by
 * ar-1's daemon; and a byte flipped in flight
 * (the wire's relay) is detected and the retry resumes at db-1's checkpoint.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { observeArchive } from '../../native/lib/archive/index.js';
import { withLock } from '../../native/lib/archive/lock.js';
import { observeStorage, storagePaths } from '../../native/lib/storage/index.js';
import { fetchRestore, startRelay, WireClient } from '../../native/lib/wire/index.js';
import { walbctlProcess } from '../helpers/cli.js';
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

const SIZE = 4 << 20;
const MiB = 1 << 20;
const sha1 = (path: string): string => createHash('sha1').update(readFileSync(path)).digest('hex');

const volumeYaml = `volumes:
  pg:
    device:
      path: volumes/pg.img
      size: 4MiB
    capture: scan
    proxies: []
    archives: [ar-1]
    restoreHosts: [db-3]
    snapshots:
      every: 2s
    retention:
      keepLast: 100
`;

const daemons: RunningDaemon[] = [];
let root = '';
afterAll(async () => {
  await stopDaemons(daemons);
  if (root) rmSync(root, { recursive: true, force: true });
});

describe.skipIf(!hasOpenssl)('Restore from an archive on another host', () => {
  it('db-1 restores every restorable gid of pg from ar-1 over the wire, sha1 equal; db-3 (restoreHosts) may too, db-2 is refused; a flipped byte is detected and the retry resumes', { timeout: 150_000 }, async () => {
    root = mkdtempSync(join(tmpdir(), 'walbctl-remote-restore-'));
    const [db1, ar1, db2, db3] = await makeHosts(root, [
      { name: 'db-1', address: '127.0.0.31' },
      { name: 'ar-1', address: '127.0.0.32' },
      { name: 'db-2', address: '127.0.0.33' },
      { name: 'db-3', address: '127.0.0.34' },
    ]);
    const device = join(db1!.dataDir, 'volumes', 'pg.img');
    mkdirSync(join(db1!.dataDir, 'volumes'), { recursive: true });
    writeFileSync(device, randomBytes(SIZE));
    const writes: { after: number; sha: string }[] = [{ after: -1, sha: sha1(device) }];
    const repo = makeRepo();
    repo.commit('db-1 stores pg, ar-1 archives it, db-3 may restore it; db-2 is another storage host', {
      'hosts/db-1.yaml': fleetHostYaml(db1!, ['storage'], volumeYaml),
      'hosts/ar-1.yaml': fleetHostYaml(ar1!, ['archive']),
      'hosts/db-2.yaml': fleetHostYaml(db2!, ['storage']),
      'hosts/db-3.yaml': fleetHostYaml(db3!, ['storage']),
    });
    for (const h of [ar1!, db1!]) daemons.push(startHostDaemon(repo.dir, h.name));
    const logs = () => daemons.flatMap((d) => d.logs).filter((l) => l.level !== 20);

    await waitFor('ar-1 to hold pg', async () => (await observeArchive(ar1!.dataDir, 'pg'))?.state === 'Archived', { timeoutMs: 60_000, logs: logs() });
    // Random writes between snapshots, each under the storage lock, noting the newest gid before it.
    for (let round = 0; round < 2; round++) {
      await withLock(storagePaths(db1!.dataDir, 'pg').lock, async () => {
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
    }

    // Every gid ar-1 can restore now, restored onto a new file on db-1 by the CLI, run as db-1 in the tree.
    const restorable = await waitFor('three restorable gids on ar-1', async () => {
      const gids = (await observeArchive(ar1!.dataDir, 'pg'))!.restorable.map((r) => r.gid);
      return gids.length >= 3 ? gids : null;
    }, { timeoutMs: 30_000, logs: logs() });
    const outDir = join(db1!.dataDir, 'restored');
    mkdirSync(outDir, { recursive: true });
    let checked = 0;
    for (const gid of restorable) {
      const target = join(outDir, `pg-${gid}.img`);
      const r = walbctlProcess(['archive', 'restore', 'pg', String(gid), '--from', 'ar-1', '--host', 'db-1', '--path', target, '--json'], { cwd: repo.dir });
      expect({ gid, code: r.code, stderr: r.stderr }).toEqual({ gid, code: 0, stderr: '' });
      expect(JSON.parse(r.stdout)).toMatchObject({ gid, path: target, from: 'ar-1', sizeBytes: SIZE });
      const expected = writes.filter((w) => w.after < gid).at(-1)!.sha;
      expect({ gid, sha1: sha1(target) }).toEqual({ gid, sha1: expected });
      checked++;
    }
    expect(checked).toBe(restorable.length);
    // An existing target needs --overwrite, and is then written over.
    const newest = restorable.at(-1)!;
    const again = walbctlProcess(['archive', 'restore', 'pg', String(newest), '--from', 'ar-1', '--host', 'db-1', '--path', join(outDir, `pg-${restorable[0]}.img`)], { cwd: repo.dir });
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/exists already; .*--overwrite/);
    const over = walbctlProcess(['archive', 'restore', 'pg', String(newest), '--from', 'ar-1', '--host', 'db-1', '--path', join(outDir, `pg-${restorable[0]}.img`), '--overwrite'], { cwd: repo.dir });
    expect(over.code).toBe(0);
    expect(over.stdout).toMatch(new RegExp(`restored gid ${newest} from ar-1 over the file`));
    expect(sha1(join(outDir, `pg-${restorable[0]}.img`))).toBe(writes.filter((w) => w.after < newest).at(-1)!.sha);

    // db-3 is no part of pg but the tree's restoreHosts lets it restore pg (a replacement host under a new name).
    const onDb3 = join(db3!.dataDir, 'pg.img');
    const byDb3 = walbctlProcess(['archive', 'restore', 'pg', String(newest), '--from', 'ar-1', '--host', 'db-3', '--path', onDb3], { cwd: repo.dir });
    expect({ code: byDb3.code, stderr: byDb3.stderr }).toEqual({ code: 0, stderr: '' });
    expect(sha1(onDb3)).toBe(writes.filter((w) => w.after < newest).at(-1)!.sha);

    // db-2 is in the tree but is neither pg's storage host nor in its restoreHosts: the CLI refuses before dialling, and ar-1's daemon at its door.
    const refusedCli = walbctlProcess(['archive', 'restore', 'pg', String(newest), '--from', 'ar-1', '--host', 'db-2', '--path', join(root, 'db2.img')], { cwd: repo.dir });
    expect(refusedCli.code).not.toBe(0);
    expect(refusedCli.stderr).toContain('not-a-sender');
    const ar1Peer = { host: 'ar-1', address: ar1!.address, port: ar1!.wirePort };
    const intruder = new WireClient({ host: 'db-2', tls: db2!.tls });
    await expect(fetchRestore(intruder, ar1Peer, { volume: 'pg', gid: newest, dataDir: db2!.dataDir, target: join(root, 'db2.img') })).rejects.toMatchObject({ reject: 'not-authorized', message: expect.stringContaining('not-a-sender') });
    expect(existsSync(join(root, 'db2.img'))).toBe(false);
    const metrics = await (await fetch(`http://${ar1!.address}:${ar1!.statusPort}/metrics`)).text();
    expect(metrics).toContain('walbctl_wire_refusals_total{peer="db-2",reason="not-a-sender"} 1');

    // A byte flipped on its way from ar-1's daemon to db-1 (past the first checkpoint): detected, nothing
    // written at the target; the second attempt resumes at db-1's durable checkpoint and is whole.
    const relay = await startRelay({ listen: { address: db1!.address }, target: { address: ar1!.address, port: ar1!.wirePort }, plan: (n) => (n === 0 ? { kind: 'flip', atByte: 2.5 * MiB, direction: 'down' } : null) });
    try {
      const c = new WireClient({ host: 'db-1', tls: db1!.tls, codecs: ['none'] });
      const via = { host: 'ar-1', ...relay.address };
      const target = join(outDir, 'flipped.img');
      const first = await fetchRestore(c, via, { volume: 'pg', gid: newest, dataDir: db1!.dataDir, target, checkpointBytes: MiB }).catch((e: unknown) => e as Error);
      expect(first).toBeInstanceOf(Error);
      expect(relay.counts.flip).toBe(1);
      expect(existsSync(target)).toBe(false);
      const r = await fetchRestore(c, via, { volume: 'pg', gid: newest, dataDir: db1!.dataDir, target, checkpointBytes: MiB });
      expect(r.resumedFrom).toBeGreaterThanOrEqual(MiB);
      expect(sha1(target)).toBe(writes.filter((w) => w.after < newest).at(-1)!.sha);
    } finally {
      await relay.close();
    }
  });
});
