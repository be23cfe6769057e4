/**
 * Every primary archive gets a base with a proxy: db-1's wdev ships its log through px-1 to ar-1 and
 * ar-2, four `walbctl daemon` processes on loopback. ar-1 holds the device's image as its base; ar-2
 * starts with nothing. ar-2's daemon initialises its archive, db-1's plan runs a full backup to it
 * (the log is not restarted: ar-1's chain goes on), px-1's diffs for ar-2 land after it, and a
 * snapshot taken while fio writes restores on both archives to the device's sha1.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, describe, expect, it } from 'vitest';

import { restorable } from '../../native/lib/archive/index.js';
import { restore } from '../../native/lib/archive/restore.js';
import { snapshotWdev, stopWdev, wdevPaths } from '../../native/lib/wdev/index.js';
import { sha1, sha1File, Scratch, wdevSkipReason } from '../native/wdev/fixture.js';
import { makeRepo, waitFor, type RunningDaemon } from './daemon-harness.js';
import { fleetHostYaml, makeHosts, startHostDaemon, stopDaemons } from './fleet-harness.js';
import { startZeroWdev, zeroBase } from './proxy-wdev-harness.js';

const skip = wdevSkipReason('fio', 'openssl');
const SIZE = 16 << 20;
const daemons: RunningDaemon[] = [];
let scratch: Scratch | null = null;
afterAll(async () => {
  await stopDaemons(daemons);
  if (scratch) await stopWdev(join(scratch.dir, 'data', 'db-1'), 'pg', { force: true }).catch(() => {});
  scratch?.cleanup();
});

describe.skipIf(skip !== null)('a second primary archive with no base, fed by a proxy', () => {
  it('gets a full backup from the storage, then the proxy’s diffs; snapshots restore on both archives to the device sha1', { timeout: 120_000 }, async () => {
    scratch = new Scratch('proxy-bases');
    const root = scratch.dir;
    const [db1, px1, ar1, ar2] = await makeHosts(root, [
      { name: 'db-1', address: '127.0.0.101' },
      { name: 'px-1', address: '127.0.0.102' },
      { name: 'ar-1', address: '127.0.0.103' },
      { name: 'ar-2', address: '127.0.0.104' },
    ]);
    const dataDir = join(root, 'data', 'db-1');
    scratch.volume('pg');
    const wdev = await startZeroWdev(dataDir, 'pg', SIZE);
    await zeroBase(ar1!.dataDir, 'pg', wdev.uuid, SIZE); // ar-2: nothing
    const volume = `volumes:
  pg:
    device:
      path: ${wdev.ddev}
      size: 16MiB
    capture: wdev
    proxies: [px-1]
    archives: [ar-1, ar-2]
    snapshots:
      every: 1h
    retention:
      keepLast: 100
`;
    const repo = makeRepo();
    repo.commit('db-1 ships pg through px-1 to ar-1 and ar-2', {
      'hosts/db-1.yaml': fleetHostYaml(db1!, ['storage'], volume),
      'hosts/px-1.yaml': fleetHostYaml(px1!, ['proxy'], `proxy:\n  listen: ${px1!.address}:${px1!.wirePort}\n  spoolLimit: 256MiB\n`),
      'hosts/ar-1.yaml': fleetHostYaml(ar1!, ['archive']),
      'hosts/ar-2.yaml': fleetHostYaml(ar2!, ['archive']),
    });
    const p = wdevPaths(dataDir, 'pg');
    // Writes before any daemon runs: ar-2's base must hold them (they reach ar-1 as diffs).
    await promisify(execFile)('fio', ['--name=before', `--filename=${p.file}`, '--ioengine=psync', '--direct=1', '--rw=randwrite', '--bs=4k', `--size=${SIZE}`, '--io_size=2m', '--randseed=3', '--output=/dev/null']);
    for (const h of [ar1!, ar2!, px1!, db1!]) daemons.push(startHostDaemon(repo.dir, h.name));
    const logs = () => daemons.flatMap((d) => d.logs).filter((l) => l.level !== 20);
    const dump = (e: Error) => {
      throw new Error(`${e.message}\n${logs().slice(-40).map((l) => JSON.stringify(l).slice(0, 400)).join('\n')}`);
    };
    const based = await waitFor('db-1 to give ar-2 a base', () => logs().find((l) => /^full-backup done/.test(String(l.msg))) ?? null, { timeoutMs: 60_000 }).catch(dump);

    const shaAt = new Map<number, string>();
    for (let i = 0; i < 2; i++) {
      await promisify(execFile)('fio', ['--name=after', `--filename=${p.file}`, '--ioengine=libaio', '--iodepth=8', '--direct=1', '--rw=randwrite', '--bs=4k', `--size=${SIZE}`, '--io_size=2m', `--randseed=${10 + i}`, '--output=/dev/null']);
      const s = await snapshotWdev(dataDir, 'pg', { explicit: true, ship: false });
      shaAt.set(s!.gid, sha1File(p.file));
    }
    const last = [...shaAt.keys()].at(-1)!;
    for (const a of [ar1!, ar2!]) {
      await waitFor(`${a.name} to hold gid ${last}`, async () => (await restorable(a.dataDir, 'pg')).some((r) => r.gid === last), { timeoutMs: 45_000 }).catch(dump);
      for (const [gid, want] of shaAt) {
        const out = join(root, `${a.name}-${gid}.img`);
        await restore(a.dataDir, 'pg', gid, { path: out, mode: 'copy' });
        expect(sha1(readFileSync(out)), `${a.name} gid ${gid}`).toBe(want);
      }
    }
    console.log(`a base for ar-2 with a proxy: ${JSON.stringify((based as { msg?: string }).msg)}; snapshots ${[...shaAt.keys()].join(', ')} restored on ar-1 and ar-2 to the device sha1; load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  });
});
