/**
 * Overflow → hash backup with a proxy: db-1's wdev (a 4 MiB ring) ships its log through px-1 to
 * ar-1, three `walbctl daemon` processes on loopback over mutual TLS. px-1 is down at first, so the
 * log stays on db-1 and fio's writes overflow the ring; db-1's plan then runs a hash backup over the
 * wire to ar-1 (ar-1 hashes its newest image, db-1 sends what differs), shipping starts again once
 * px-1 is up, the volume converges, and snapshots taken after it restore on ar-1 to the device's sha1.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { observeArchive, restorable } from '../../native/lib/archive/index.js';
import { restore } from '../../native/lib/archive/restore.js';
import { proxyPaths } from '../../native/lib/proxy/layout.js';
import { readProxyState } from '../../native/lib/proxy/state.js';
import { snapshotWdev, stopWdev, wdevPaths, wdevStatus } from '../../native/lib/wdev/index.js';
import { sha1, sha1File, Scratch, wdevSkipReason } from '../native/wdev/fixture.js';
import { makeRepo, waitFor, type RunningDaemon } from './daemon-harness.js';
import { fleetHostYaml, makeHosts, startHostDaemon, stopDaemons } from './fleet-harness.js';
import { startZeroWdev, zeroBase } from './proxy-wdev-harness.js';

const skip = wdevSkipReason('fio', 'openssl');
const SIZE = 16 << 20;
const RING = 4 << 20;
const daemons: RunningDaemon[] = [];
let scratch: Scratch | null = null;
afterAll(async () => {
  await stopDaemons(daemons);
  if (scratch) await stopWdev(join(scratch.dir, 'data', 'db-1'), 'pg', { force: true }).catch(() => {});
  scratch?.cleanup();
});

describe.skipIf(skip !== null)('a wdev whose ring overflows while it ships through a proxy', () => {
  it('is repaired by the plan’s hash backup over the wire, ships again, and later snapshots restore to the device sha1', { timeout: 90_000 }, async () => {
    scratch = new Scratch('proxy-overflow');
    const root = scratch.dir;
    const [db1, px1, ar1] = await makeHosts(root, [
      { name: 'db-1', address: '127.0.0.91' },
      { name: 'px-1', address: '127.0.0.92' },
      { name: 'ar-1', address: '127.0.0.93' },
    ]);
    const dataDir = join(root, 'data', 'db-1');
    scratch.volume('pg');
    const wdev = await startZeroWdev(dataDir, 'pg', SIZE, RING);
    await zeroBase(ar1!.dataDir, 'pg', wdev.uuid, SIZE);
    const volume = `volumes:
  pg:
    device:
      path: ${wdev.ddev}
      size: 16MiB
    capture: wdev
    proxies: [px-1]
    archives: [ar-1]
    snapshots:
      every: 1h
    retention:
      keepLast: 100
`;
    const repo = makeRepo();
    repo.commit('db-1 ships pg through px-1 to ar-1', {
      'hosts/db-1.yaml': fleetHostYaml(db1!, ['storage'], volume),
      'hosts/px-1.yaml': fleetHostYaml(px1!, ['proxy'], `proxy:\n  listen: ${px1!.address}:${px1!.wirePort}\n  spoolLimit: 256MiB\n`),
      'hosts/ar-1.yaml': fleetHostYaml(ar1!, ['archive']),
    });
    for (const h of [ar1!, db1!]) daemons.push(startHostDaemon(repo.dir, h.name));
    const logs = () => daemons.flatMap((d) => d.logs).filter((l) => l.level !== 20);
    const dump = (e: Error) => {
      throw new Error(`${e.message}\n${logs().slice(-40).map((l) => JSON.stringify(l).slice(0, 400)).join('\n')}`);
    };
    const p = wdevPaths(dataDir, 'pg');

    // With px-1 down the log stays on db-1: 8 MiB of random 4 KiB writes overflow the 4 MiB ring.
    execFileSync('fio', ['--name=fill', `--filename=${p.file}`, '--ioengine=psync', '--direct=1', '--rw=randwrite', '--bs=4k', `--size=${SIZE}`, '--io_size=8m', '--randseed=7', '--output=/dev/null']);
    const hashed = await waitFor('db-1 to run the hash backup to ar-1', () => logs().find((l) => /^hash-backup done/.test(String(l.msg))) ?? null, { timeoutMs: 45_000 }).catch(dump);
    const overflowSeen = logs().some((l) => /hash-backup started \(.*overflow/.test(String(l.msg)));
    expect(overflowSeen, 'the hash backup was planned for the overflow').toBe(true);
    expect((await wdevStatus(dataDir, 'pg')).overflow).toBe(false);
    // ar-1 holds a compared diff (the hash backup's): what differed from its image, not a full copy.
    expect((await observeArchive(ar1!.dataDir, 'pg'))!.diffs.some((d) => d.compared)).toBe(true);

    // px-1 comes up: shipping starts again, and snapshots after the repair restore to the device's sha1.
    daemons.push(startHostDaemon(repo.dir, px1!.name));
    const shaAt = new Map<number, string>();
    for (let i = 0; i < 2; i++) {
      execFileSync('fio', ['--name=after', `--filename=${p.file}`, '--ioengine=psync', '--direct=1', '--rw=randwrite', '--bs=4k', `--size=${SIZE}`, '--io_size=1m', `--randseed=${20 + i}`, '--output=/dev/null']);
      const s = await snapshotWdev(dataDir, 'pg', { explicit: true, ship: false });
      shaAt.set(s!.gid, sha1File(p.file));
    }
    const last = [...shaAt.keys()].at(-1)!;
    await waitFor(`ar-1 to hold gid ${last}`, async () => (await restorable(ar1!.dataDir, 'pg')).some((r) => r.gid === last), { timeoutMs: 30_000 }).catch(dump);
    expect((await wdevStatus(dataDir, 'pg')).overflow).toBe(false);
    // They went through px-1: it received the log up to the last snapshot.
    expect((await readProxyState(proxyPaths(px1!.dataDir, 'pg')))?.received?.gid.b ?? -1).toBeGreaterThanOrEqual(last);
    for (const [gid, want] of shaAt) {
      const out = join(root, `ar-1-${gid}.img`);
      await restore(ar1!.dataDir, 'pg', gid, { path: out, mode: 'copy' });
      expect(sha1(readFileSync(out)), `ar-1 gid ${gid}`).toBe(want);
    }
    console.log(`overflow → hash backup with a proxy: ${JSON.stringify((hashed as { msg?: string }).msg)}; snapshots ${[...shaAt.keys()].join(', ')} restored on ar-1 to the device sha1; load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  });
});
