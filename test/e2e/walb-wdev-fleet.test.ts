/**
 * A walbctl storage daemon behind WalB's walb-proxy: db-1's daemon stores a served wdev volume whose
 * tree names px-1 (`driver: walb`: WalB's real walb-proxy, applied from the tree with walbc) as its
 * proxy and ar-1 (a walbctl archive daemon with `archive.walbListen`) as its archive. db-1's daemon
 * ships the log with WalB's wlog-transfer; walb-proxy forwards it with wdiff-transfer to ar-1. Explicit
 * snapshots are taken between bursts of writes with the device's sha1 at each; walb-proxy is
 * restarted between bursts; every snapshot then restores on ar-1 to its sha1. Skips, saying why,
 * without root, FUSE, openssl or WalB's binaries.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { restorable } from '../../native/lib/archive/query.js';
import { restore } from '../../native/lib/archive/restore.js';
import { snapshotWdev, stopWdev, wdevPaths } from '../../native/lib/wdev/index.js';
import { observeProxy } from '../../reconciler/drivers/walb/proxy.js';
import { walbctlProcess } from '../helpers/cli.js';
import { freePort, type RunningWalbProxy, startWalbProxy, walbcBin, walbcOptions, walbSkipReason } from '../helpers/walb-proxy.js';
import { sha1, sha1File, Scratch, wdevSkipReason, writeAndSync } from '../native/wdev/fixture.js';
import { makeRepo, waitFor, type RunningDaemon } from './daemon-harness.js';
import { fleetHostYaml, makeHosts, startHostDaemon, stopDaemons } from './fleet-harness.js';
import { pgVolumeYaml, walbProxyHostYaml, withWalbListen } from './walb-fleet-harness.js';
import { startZeroWdev, zeroBase } from './proxy-wdev-harness.js';

const skip = wdevSkipReason('openssl') ?? (walbSkipReason || null);
const SIZE = 16 << 20;
const daemons: RunningDaemon[] = [];
let scratch: Scratch | null = null;
let px: RunningWalbProxy | undefined;
afterAll(async () => {
  await stopDaemons(daemons);
  await px?.stop();
  if (scratch) await stopWdev(join(scratch.dir, 'data', 'db-1'), 'pg', { force: true }).catch(() => {});
  scratch?.cleanup();
});

describe.skipIf(skip !== null)(`a walbctl storage daemon shipping through walb-proxy${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('db-1\'s daemon ships through walb-proxy (restarted between bursts) to ar-1\'s daemon; every snapshot restores to the device sha1', { timeout: 240_000 }, async () => {
    scratch = new Scratch('walb-fleet');
    const root = scratch.dir;
    const [db1, ar1] = await makeHosts(root, [
      { name: 'db-1', address: '127.0.0.91' },
      { name: 'ar-1', address: '127.0.0.93' },
    ]);
    const dataDir = join(root, 'data', 'db-1');
    scratch.volume('pg');
    const wdev = await startZeroWdev(dataDir, 'pg', SIZE);
    await zeroBase(ar1!.dataDir, 'pg', wdev.uuid, SIZE);
    px = await startWalbProxy(join(root, 'px-1'));
    const walbPort = await freePort();
    const volume = pgVolumeYaml(wdev.ddev, '16MiB', 'wdev');
    const repo = makeRepo();
    repo.commit('db-1 ships pg through the walb-proxy px-1 to ar-1', {
      'hosts/db-1.yaml': fleetHostYaml(db1!, ['storage'], volume),
      'hosts/px-1.yaml': walbProxyHostYaml(root, px.server.port),
      'hosts/ar-1.yaml': withWalbListen(fleetHostYaml(ar1!, ['archive']), ar1!.address, walbPort),
    });
    const apply = walbctlProcess(['apply', '--host', 'px-1'], { cwd: repo.dir, env: { WALBC: walbcBin } });
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(await observeProxy(px.server, 'pg', walbcOptions)).toEqual({ state: 'Started', archives: ['ar-1'] });
    for (const h of [ar1!, db1!]) daemons.push(startHostDaemon(repo.dir, h.name));
    const logs = () => daemons.flatMap((d) => d.logs).filter((l) => l.level !== 20);
    const dump = async (e: Error) => {
      const status = await fetch(`http://${db1!.address}:${db1!.statusPort}/status`).then(async (r) => JSON.stringify((await r.json() as { volumes: Record<string, { shipping?: unknown }> }).volumes.pg?.shipping)).catch((x: Error) => x.message);
      const proxyLogs = readdirSync(join(root, 'px-1')).filter((f) => f.endsWith('.log')).flatMap((f) => readFileSync(join(root, 'px-1', f), 'utf8').split('\n').filter((l) => / (ERROR|WARN|INFO) /.test(l)).slice(-40));
      throw new Error(`${e.message}\ndb-1 status: ${status.slice(0, 3000)}\n${daemons.flatMap((d) => d.logs).filter((l) => /ship/.test(String(l.msg))).slice(-30).map((l) => JSON.stringify(l).slice(0, 400)).join('\n')}\nwalb-proxy:\n${proxyLogs.join('\n')}`);
    };
    await waitFor('db-1 to ship to px-1', () => logs().some((l) => /ship: pg: shipping its log/.test(String(l.msg))), { timeoutMs: 60_000 }).catch(dump);

    const file = wdevPaths(dataDir, 'pg').file;
    const shaAt = new Map<number, string>();
    for (let burst = 0; burst < 4; burst++) {
      for (let k = 0; k < 8; k++) writeAndSync(file, ((burst * 11 + k * 7) % 60) * 256 * 1024, 128 * 1024, (burst * 16 + k + 1) & 0xff);
      const s = await snapshotWdev(dataDir, 'pg', { explicit: true, ship: false });
      shaAt.set(s!.gid, sha1File(file));
      if (burst === 1) {
        // walb-proxy restarts (same base directory and port) while db-1 keeps shipping.
        const port = px.server.port;
        await px.stop();
        px = await startWalbProxy(join(root, 'px-1'), { port });
      }
    }
    const last = [...shaAt.keys()].at(-1)!;
    await waitFor(`ar-1 to hold gid ${last}`, async () => (await restorable(ar1!.dataDir, 'pg')).some((r) => r.gid === last), { timeoutMs: 90_000 }).catch(dump);
    expect(logs().some((l) => /diff .* from walb-proxy p0 added/.test(String(l.msg)))).toBe(true);
    for (const [gid, want] of shaAt) {
      const out = join(root, `ar-1-${gid}.img`);
      await restore(ar1!.dataDir, 'pg', gid, { path: out, mode: 'copy' });
      expect(sha1(readFileSync(out)), `gid ${gid}`).toBe(want);
    }
  });
});
