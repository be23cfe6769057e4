/**
 * A real fleet on one machine: three `walbctl daemon` processes — storage db-1 (127.0.0.11), archives
 * ar-1 (127.0.0.12) and ar-2 (127.0.0.13) — from one git repository, each with its own data directory
 * and a certificate from a CA made here, talking over the wire with mutual TLS on ports chosen now.
 *
 * The test writes random blocks into db-1's scan-captured volume while holding the volume's storage
 * lock (the lock every storage operation takes), so it knows exactly which content each later
 * snapshot gid captured; every restorable gid on ar-1 is then restored and compared by sha1. A commit
 * moving the volume's primary archive to ar-2 must converge too. Where /dev/fuse exists (and root),
 * db-1 also holds a wdev volume `wv` archived on ar-1: its full backup and its snapshots' diffs go over
 * the wire from the wdev's log (no outbox), every restorable gid of wv on ar-1 matches too, and it
 * moves to ar-2 with pg (a full backup of the live wdev there, then its snapshots).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { deleteRestored, observeArchive, restore } from '../../native/lib/archive/index.js';
import { withLock } from '../../native/lib/archive/lock.js';
import { observeStorage, storagePaths } from '../../native/lib/storage/index.js';
import { observeWdevStorage, stopWdev, wdevPaths } from '../../native/lib/wdev/index.js';
import { sendFullBackup, WireClient, wireStatus } from '../../native/lib/wire/index.js';
import type { DaemonStatusView } from '../../reconciler/daemon/status-view.js';
import { makeRepo, waitFor, type RunningDaemon } from './daemon-harness.js';
import { fleetHostYaml, hasOpenssl, makeHosts, startHostDaemon, stopDaemons, type FleetHost } from './fleet-harness.js';
import { wdevSkipReason } from '../native/wdev/fixture.js';


const SIZE = 4 << 20;
const noWdev = wdevSkipReason();
if (noWdev) console.warn(`fleet e2e: the wdev volume is left out: ${noWdev}`);
const sha1 = (path: string): string => createHash('sha1').update(readFileSync(path)).digest('hex');

/** db-1's volumes: pg (scan) archived on \`archive\`, and where a wdev can run, wv (wdev) on ar-1. */
function volumeYaml(archive: string): string {
  const wv = noWdev ? '' : `  wv:
    device:
      path: volumes/wv.img
      size: 4MiB
    capture: wdev
    proxies: []
    archives: [${archive}]
    compression: zstd
    snapshots:
      every: 2s
    retention:
      keepLast: 100
`;
  return `${noWdev ? '' : 'storage:\n  wlogSize: 16MiB\n'}volumes:
  pg:
    device:
      path: volumes/pg.img
      size: 4MiB
    capture: scan
    proxies: []
    archives: [${archive}]
    compression: zstd
    bandwidthLimit: 64MiB/s
    snapshots:
      every: 2s
    retention:
      keepLast: 100
${wv}`;
}

async function statusOf(h: FleetHost): Promise<DaemonStatusView | null> {
  try {
    const res = await fetch(`http://${h.address}:${h.statusPort}/status`);
    return res.ok ? ((await res.json()) as DaemonStatusView) : null;
  } catch {
    return null;
  }
}

const daemons: RunningDaemon[] = [];
let root = '';
let wdevDataDir = '';
afterAll(async () => {
  await stopDaemons(daemons);
  // A wdev keeps serving when its daemon stops: stop it before its folder goes.
  if (wdevDataDir) await stopWdev(wdevDataDir, 'wv').catch(() => {});
  if (process.env.FLEET_LOGS) writeFileSync(process.env.FLEET_LOGS, daemons.flatMap((d) => d.logs).map((l) => JSON.stringify(l)).join('\n'));
  if (root) rmSync(root, { recursive: true, force: true });
});

describe.skipIf(!hasOpenssl)('A real fleet on one machine', () => {
  it('db-1 backs up to ar-1 over mutual TLS, every restorable gid on ar-1 matches the source, and moving the primary to ar-2 converges', { timeout: 180_000 }, async () => {
    root = mkdtempSync(join(tmpdir(), 'walbctl-fleet-'));
    const [db1, ar1, ar2, db2] = await makeHosts(root, [
      { name: 'db-1', address: '127.0.0.11' },
      { name: 'ar-1', address: '127.0.0.12' },
      { name: 'ar-2', address: '127.0.0.13' },
      { name: 'db-2', address: '127.0.0.14' },
    ]);
    // The source starts with random content (C0): the full backup carries it.
    const device = join(db1!.dataDir, 'volumes', 'pg.img');
    mkdirSync(join(db1!.dataDir, 'volumes'), { recursive: true });
    writeFileSync(device, randomBytes(SIZE));
    if (!noWdev) {
      writeFileSync(join(db1!.dataDir, 'volumes', 'wv.img'), randomBytes(SIZE));
      wdevDataDir = db1!.dataDir;
    }
    const writes: { after: number; sha: string }[] = [{ after: -1, sha: sha1(device) }];

    const repo = makeRepo();
    repo.commit('a fleet: db-1 stores pg, ar-1 archives it, ar-2 stands by', {
      'hosts/db-1.yaml': fleetHostYaml(db1!, ['storage'], volumeYaml('ar-1')),
      'hosts/ar-1.yaml': fleetHostYaml(ar1!, ['archive']),
      'hosts/ar-2.yaml': fleetHostYaml(ar2!, ['archive']),
      'hosts/db-2.yaml': fleetHostYaml(db2!, ['storage']),
    });
    for (const h of [ar1!, ar2!, db1!]) daemons.push(startHostDaemon(repo.dir, h.name));
    // One live view of every daemon's log lines, for the timeouts' messages.
    const all: Record<string, unknown>[] = [];
    const logs = () => all;
    const timer = setInterval(() => all.splice(0, all.length, ...daemons.flatMap((d) => d.logs).filter((l) => l.level !== 20)), 200);
    timer.unref();

    await waitFor('ar-1 to hold pg (a full backup over the wire)', async () => (await observeArchive(ar1!.dataDir, 'pg'))?.state === 'Archived', { timeoutMs: 60_000, logs: logs() });

    // Random writes between snapshots, each under the storage lock, noting the newest gid before it.
    const lock = storagePaths(db1!.dataDir, 'pg').lock;
    for (let round = 0; round < 3; round++) {
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
    }

    // Every restorable gid on ar-1 holds what the source held when that gid's snapshot was taken.
    const restorable = (await observeArchive(ar1!.dataDir, 'pg'))!.restorable;
    expect(restorable.length).toBeGreaterThanOrEqual(3);
    const out = join(root, 'restored.img');
    let checked = 0;
    for (const r of restorable) {
      const expected = writes.filter((w) => w.after < r.gid).at(-1)!.sha;
      await restore(ar1!.dataDir, 'pg', r.gid, { path: out, mode: 'copy' });
      expect({ gid: r.gid, sha1: sha1(out) }).toEqual({ gid: r.gid, sha1: expected });
      await deleteRestored(ar1!.dataDir, 'pg', r.gid);
      rmSync(out, { force: true });
      checked++;
    }
    expect(checked).toBe(restorable.length);

    // The wdev volume: random writes under its capture lock (the lock its snapshots take), each followed
    // by a snapshot on ar-1; every restorable gid there holds what the wdev held at that gid.
    if (!noWdev) {
      const wp = wdevPaths(db1!.dataDir, 'wv');
      await waitFor('ar-1 to hold wv (a wdev full backup over the wire)', async () => (await observeArchive(ar1!.dataDir, 'wv'))?.state === 'Archived', { timeoutMs: 60_000, logs: logs() });
      const wvWrites: { after: number; sha: string }[] = [];
      for (let round = 0; round < 3; round++) {
        await withLock(join(wp.dir, 'capture.lock'), async () => {
          const latest = (await observeWdevStorage(db1!.dataDir, 'wv')).latestGid ?? 0;
          if (round === 0) wvWrites.push({ after: -1, sha: sha1(wp.file) });
          const h = await open(wp.file, 'r+');
          try {
            for (let i = 0; i < 8; i++) await h.write(randomBytes(4096 * (1 + (i % 4))), 0, undefined, 4096 * Math.floor(Math.random() * (SIZE / 4096 - 4)));
            await h.sync();
          } finally {
            await h.close();
          }
          wvWrites.push({ after: latest, sha: sha1(wp.file) });
        }, { volume: 'wv', operation: 'test-write', timeoutMs: 60_000 });
        const after = wvWrites.at(-1)!.after;
        await waitFor(`a wdev snapshot after write ${round + 1} to reach ar-1`, async () => ((await observeArchive(ar1!.dataDir, 'wv'))?.restorable.at(-1)?.gid ?? 0) > after, { timeoutMs: 40_000, logs: logs() });
      }
      const wvRestorable = (await observeArchive(ar1!.dataDir, 'wv'))!.restorable;
      expect(wvRestorable.length).toBeGreaterThanOrEqual(3);
      for (const r of wvRestorable) {
        const expected = wvWrites.filter((w) => w.after < r.gid).at(-1)?.sha;
        if (expected === undefined) continue; // a gid before the first write was noted: the content then is not known here
        await restore(ar1!.dataDir, 'wv', r.gid, { path: out, mode: 'copy' });
        expect({ volume: 'wv', gid: r.gid, sha1: sha1(out) }).toEqual({ volume: 'wv', gid: r.gid, sha1: expected });
        await deleteRestored(ar1!.dataDir, 'wv', r.gid);
        rmSync(out, { force: true });
        checked++;
      }
      expect(checked).toBeGreaterThanOrEqual(restorable.length + 3);
    }

    // The storage's status page shows the link to ar-1: up, bytes sent, transfers done.
    const s = await waitFor('db-1 to show its link to ar-1', async () => {
      const st = await statusOf(db1!);
      const link = st?.links?.find((l) => l.peer === 'ar-1');
      return link && link.reachable && link.bytesSent > 0 && link.transfersDone > 0 ? st : null;
    }, { timeoutMs: 20_000, logs: logs() });
    expect(s.links!.find((l) => l.peer === 'ar-1')!.bytesSent).toBeGreaterThan(0);
    const metrics = await (await fetch(`http://${db1!.address}:${db1!.statusPort}/metrics`)).text();
    expect(metrics).toMatch(/walbctl_wire_bytes_sent_total\{peer="ar-1"\} [1-9]/);

    // A valid host of the tree (db-2, certificate from the fleet's CA) asking for a volume that is not its
    // own is refused by ar-1's daemon: named in its log, counted in its metrics, nothing read or written.
    const before = await observeArchive(ar1!.dataDir, 'pg');
    const intruder = new WireClient({ host: 'db-2', tls: db2!.tls });
    const ar1Peer = { host: 'ar-1', address: ar1!.address, port: ar1!.wirePort };
    await expect(wireStatus(intruder, ar1Peer, 'pg')).rejects.toMatchObject({ reject: 'not-authorized', message: expect.stringContaining('not-a-participant') });
    await expect(sendFullBackup(intruder, ar1Peer, { volume: 'pg', source: device, sizeBytes: SIZE, uuid: before!.uuid, snap: { b: 0, e: 1 }, id: 'intruder', timestamp: new Date().toISOString() })).rejects.toMatchObject({ reject: 'not-authorized', message: expect.stringContaining('not-a-sender') });
    // db-1's own snapshots (every 2 s) may land meanwhile; the intruder's base and diffs may not.
    const after = (await observeArchive(ar1!.dataDir, 'pg'))!;
    expect({ uuid: after.uuid, base: after.base, state: after.state }).toEqual({ uuid: before!.uuid, base: before!.base, state: before!.state });
    expect(after.diffs.slice(0, before!.diffs.length)).toEqual(before!.diffs);
    await waitFor('ar-1 to log the refusal of db-2', () => daemons[0]!.logs.find((l) => l.level === 40 && JSON.stringify(l).includes('db-2') && JSON.stringify(l).includes('refused')), { timeoutMs: 10_000, logs: logs() });
    const ar1Metrics = await (await fetch(`http://${ar1!.address}:${ar1!.statusPort}/metrics`)).text();
    expect(ar1Metrics).toContain('walbctl_wire_refusals_total{peer="db-2",reason="not-a-participant"} 1');
    expect(ar1Metrics).toContain('walbctl_wire_refusals_total{peer="db-2",reason="not-a-sender"} 1');

    // Move the primary archive to ar-2: it receives the whole chain from db-1's outbox and converges.
    const latestAtMove = (await observeStorage(db1!.dataDir, 'pg'))!.latestGid!;
    repo.commit('move pg to ar-2', { 'hosts/db-1.yaml': fleetHostYaml(db1!, ['storage'], volumeYaml('ar-2')) });
    await waitFor('ar-2 to hold pg up to the gid db-1 had at the move', async () => {
      const a = await observeArchive(ar2!.dataDir, 'pg');
      return a?.state === 'Archived' && (a.restorable.at(-1)?.gid ?? 0) >= latestAtMove;
    }, { timeoutMs: 60_000, logs: logs() });
    // The wdev volume moves with it: a full backup of the live wdev to ar-2, then its snapshots.
    if (!noWdev) {
      const wvAtMove = (await observeWdevStorage(db1!.dataDir, 'wv')).latestGid ?? 0;
      await waitFor('ar-2 to hold wv past the gid db-1 had at the move', async () => {
        const a = await observeArchive(ar2!.dataDir, 'wv');
        return a?.state === 'Archived' && (a.restorable.at(-1)?.gid ?? 0) > wvAtMove;
      }, { timeoutMs: 60_000, logs: logs() });
      const wvNewest = (await observeArchive(ar2!.dataDir, 'wv'))!.restorable.at(-1)!;
      await restore(ar2!.dataDir, 'wv', wvNewest.gid, { path: out, mode: 'copy' });
      expect(sha1(out)).toBe(sha1(wdevPaths(db1!.dataDir, 'wv').file));
      await deleteRestored(ar2!.dataDir, 'wv', wvNewest.gid);
      rmSync(out, { force: true });
    }
    const newest = (await observeArchive(ar2!.dataDir, 'pg'))!.restorable.at(-1)!;
    await restore(ar2!.dataDir, 'pg', newest.gid, { path: out, mode: 'copy' });
    expect(sha1(out)).toBe(writes.at(-1)!.sha);
    await deleteRestored(ar2!.dataDir, 'pg', newest.gid);
    await waitFor('db-1 to report pg Ready against ar-2', async () => {
      const st = await statusOf(db1!);
      return st?.volumes.pg?.conditions.find((c) => c.type === 'Ready')?.status === 'True';
    }, { timeoutMs: 30_000, logs: logs() });
  });
});
