/**
 * Continuous log shipping in a fleet of daemons, end to end: db-1 stores a wdev volume (served by
 * walbctl-wdev, written by fio at random), px-1 is its proxy, ar-1 and ar-2 its archives — four
 * `walbctl daemon` processes from one git repository on their own loopback addresses, over mutual
 * TLS with certificates made here. db-1's daemon ships the log to px-1 as it is written; px-1
 * forwards to both archives. Snapshots are taken between bursts of writes (while shipping goes on)
 * with the device's sha1 at each; every snapshot then restores on both archives to that sha1. The
 * recovery point (how far the archives trail the writes) is sampled throughout and printed.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, describe, expect, it } from 'vitest';

import { restorable } from '../../native/lib/archive/query.js';
import { restore } from '../../native/lib/archive/restore.js';
import { proxyPaths } from '../../native/lib/proxy/layout.js';
import { readProxyState } from '../../native/lib/proxy/state.js';
import { readCapture } from '../../native/lib/wdev/capture-state.js';
import { snapshotWdev, stopWdev, wdevPaths, wdevStatus } from '../../native/lib/wdev/index.js';
import type { ObservedShipping, ObservedSpool } from '../../common/observed.js';
import { binPath } from '../helpers/cli.js';
import { sha1, sha1File, Scratch, wdevSkipReason } from '../native/wdev/fixture.js';
import { makeRepo, waitFor, type RunningDaemon } from './daemon-harness.js';
import { fleetHostYaml, makeHosts, startHostDaemon, stopDaemons } from './fleet-harness.js';
import { RecoveryPointSampler, startZeroWdev, zeroBase } from './proxy-wdev-harness.js';

const skip = wdevSkipReason('fio', 'openssl');
const SIZE = 32 << 20;
const daemons: RunningDaemon[] = [];
let scratch: Scratch | null = null;
afterAll(async () => {
  await stopDaemons(daemons);
  if (scratch) await stopWdev(join(scratch.dir, 'data', 'db-1'), 'pg', { force: true }).catch(() => {});
  scratch?.cleanup();
});

describe.skipIf(skip !== null)('a wdev volume shipped through a proxy to two archives', () => {
  it('keeps the archives within seconds of fio writes, and every snapshot taken while writing restores on both archives to the device sha1', { timeout: 300_000 }, async () => {
    scratch = new Scratch('proxy-fleet');
    const root = scratch.dir;
    const [db1, px1, ar1, ar2] = await makeHosts(root, [
      { name: 'db-1', address: '127.0.0.71' },
      { name: 'px-1', address: '127.0.0.72' },
      { name: 'ar-1', address: '127.0.0.73' },
      { name: 'ar-2', address: '127.0.0.74' },
    ]);
    // db-1's wdev over an all-zero 32 MiB device, served; both archives hold that image as gid 0,
    // and capture starts there — what a full backup of the zero device leaves.
    const dataDir = join(root, 'data', 'db-1');
    scratch.volume('pg');
    const wdev = await startZeroWdev(dataDir, 'pg', SIZE);
    for (const a of [ar1!, ar2!]) await zeroBase(a.dataDir, 'pg', wdev.uuid, SIZE);
    const volume = `volumes:
  pg:
    device:
      path: ${wdev.ddev}
      size: 32MiB
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
    for (const h of [ar1!, ar2!, px1!, db1!]) daemons.push(startHostDaemon(repo.dir, h.name));
    const logs = () => daemons.flatMap((d) => d.logs).filter((l) => l.level !== 20);
    const dump = (e: Error) => {
      throw new Error(`${e.message}\n${logs().slice(-40).map((l) => JSON.stringify(l).slice(0, 400)).join('\n')}`);
    };
    await waitFor('px-1 to proxy pg to both archives', async () => Object.keys((await readProxyState(proxyPaths(px1!.dataDir, 'pg')))?.archives ?? {}).length === 2, { timeoutMs: 60_000 }).catch(dump);
    await waitFor('db-1 to ship to px-1', () => logs().some((l) => /ship: pg: shipping its log/.test(String(l.msg))), { timeoutMs: 60_000 }).catch(dump);

    const p = wdevPaths(dataDir, 'pg');
    const sampler = new RecoveryPointSampler(dataDir, 'pg', px1!.dataDir, ['ar-1', 'ar-2']);
    sampler.statusUrl = `http://${db1!.address}:${db1!.statusPort}/status`;
    sampler.start();
    const shaAt = new Map<number, string>();
    try {
      for (let burst = 0; burst < 4; burst++) {
        // fio runs as a child the event loop does not wait on: the sampler samples while it writes.
        await promisify(execFile)('fio', [
          '--name=burst', `--filename=${p.file}`, '--ioengine=libaio', '--iodepth=8', '--direct=1', '--rw=randwrite', '--bs=4k',
          `--size=${SIZE}`, '--time_based', '--runtime=3', '--randrepeat=0', `--randseed=${burst + 1}`, '--output=/dev/null',
        ]);
        const s = await snapshotWdev(dataDir, 'pg', { explicit: true, ship: false }).catch(async (e: Error) => {
          const st = await wdevStatus(dataDir, 'pg');
          throw new Error(`${e.message} (${st.overflowReason ?? '?'}; lsids oldest ${st.oldestLsid}, permanent ${st.permanentLsid}, ${st.usagePb} of ${st.capacityPb} pb)\n${logs().slice(-15).map((l) => JSON.stringify(l).slice(0, 300)).join('\n')}`);
        });
        shaAt.set(s!.gid, sha1File(p.file));
      }
      const gids = [...shaAt.keys()];
      for (const a of [ar1!, ar2!]) {
        await waitFor(`${a.name} to hold gid ${gids.at(-1)}`, async () => (await restorable(a.dataDir, 'pg')).some((r) => r.gid === gids.at(-1)), { timeoutMs: 90_000 }).catch(dump);
      }
    } finally {
      sampler.stop();
    }
    const rp = sampler.summary();
    const said = sampler.summary(sampler.reported);
    console.log(`recovery point while fio wrote (${rp.samples} samples every 250 ms): p50 ${rp.p50.toFixed(2)} s, p99 ${rp.p99.toFixed(2)} s, max ${rp.max.toFixed(2)} s; db-1's daemon said p50 ${said.p50.toFixed(1)} s, p99 ${said.p99.toFixed(1)} s, max ${said.max.toFixed(1)} s (${said.samples} readings); ${(await wdevStatus(dataDir, 'pg')).permanentLsid} lsids written; load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
    expect(rp.samples).toBeGreaterThan(10);

    // db-1's daemon says how far the log got, in /status (walbctl status) and /metrics: once both
    // archives hold everything written, archived = written and the recovery point is 0.
    const written = (await wdevStatus(dataDir, 'pg')).permanentLsid;
    const shipping = await waitFor('db-1 status to show pg archived on both', async () => {
      const x = (await fetch(`http://${db1!.address}:${db1!.statusPort}/status`).then((r) => r.json()).catch(() => null) as { volumes: Record<string, { shipping?: ObservedShipping }> } | null)?.volumes.pg?.shipping;
      return x && x.archivedLsid === written ? x : null;
    }, { timeoutMs: 30_000 }).catch(dump);
    expect(shipping).toMatchObject({ writtenLsid: written, shippedLsid: written, convertedLsid: written, recoveryPointSeconds: 0 });
    expect(Object.keys(shipping!.archives).sort()).toEqual(['ar-1', 'ar-2']);
    const metrics = await (await fetch(`http://${db1!.address}:${db1!.statusPort}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`walbctl_ship_lsid\\{[^}]*stage="archived"[^}]*\\} ${written}\\b`));
    expect(metrics).toMatch(/walbctl_ship_recovery_point_seconds\{[^}]*volume="pg"[^}]*\} 0\b/);
    const text = spawnSync(process.execPath, [binPath, 'status', repo.dir, '--host', 'db-1'], { encoding: 'utf8' }).stdout;
    expect(text).toMatch(new RegExp(`pg\\s+${written}\\s+${written}\\s+${written}\\s+${written}\\s+0 s`));

    // px-1 reports its own queues: in its /status, `walbctl status`, /metrics and `show observed`.
    const spool = await waitFor('px-1 status to show pg queued for nothing', async () => {
      const x = (await fetch(`http://${px1!.address}:${px1!.statusPort}/status`).then((r) => r.json()).catch(() => null) as { volumes: Record<string, { spool?: ObservedSpool }> } | null)?.volumes.pg?.spool;
      return x && x.receivedLsid === written && x.queues.every((q) => q.diffs === 0) ? x : null;
    }, { timeoutMs: 30_000 }).catch(dump);
    expect(spool).toMatchObject({ state: 'Started', limitBytes: 256 << 20, full: false });
    expect(spool!.queues.map((q) => [q.archive, q.diffs, q.bytes, q.oldestGid, q.forwarding, q.lastError])).toEqual([['ar-1', 0, 0, null, 'started', null], ['ar-2', 0, 0, null, 'started', null]]);
    const pxMetrics = await (await fetch(`http://${px1!.address}:${px1!.statusPort}/metrics`)).text();
    expect(pxMetrics).toMatch(/walbctl_proxy_queue_diffs\{[^}]*archive="ar-1"[^}]*volume="pg"[^}]*\} 0\b|walbctl_proxy_queue_diffs\{[^}]*volume="pg"[^}]*archive="ar-1"[^}]*\} 0\b/);
    expect(pxMetrics).toMatch(/walbctl_proxy_forwarding\{[^}]*archive="ar-2"[^}]*\} 1\b/);
    const pxText = spawnSync(process.execPath, [binPath, 'status', repo.dir, '--host', 'px-1'], { encoding: 'utf8' }).stdout;
    expect(pxText).toMatch(/Spool .* MiB of 256\.0 MiB/);
    expect(pxText).toMatch(/pg\s+ar-1\s+Started\s+0\s+0\s+-\s+-\s+started/);
    const seen = JSON.parse(spawnSync(process.execPath, [binPath, 'show', 'observed', repo.dir, '--host', 'px-1', '--json'], { encoding: 'utf8' }).stdout) as { volumes: Record<string, { spool?: ObservedSpool }> };
    expect(seen.volumes.pg?.spool?.queues.map((q) => q.archive)).toEqual(['ar-1', 'ar-2']);

    // The storage freed its log only as far as px-1 acknowledged; everything is shipped now.
    const cap = await readCapture(p.capture, 'pg');
    expect(cap.queue).toEqual([]);
    for (const a of [ar1!, ar2!]) {
      for (const [gid, want] of shaAt) {
        const out = join(root, `${a.name}-${gid}.img`);
        await restore(a.dataDir, 'pg', gid, { path: out, mode: 'copy' });
        expect(sha1(readFileSync(out)), `${a.name} gid ${gid}`).toBe(want);
      }
    }

    // A commit that takes the proxies away stops the loop, drained: nothing acknowledged is lost,
    // and later writes stay in db-1's log (never freed without a proxy's acknowledgement).
    repo.commit('pg: no proxy', { 'hosts/db-1.yaml': fleetHostYaml(db1!, ['storage'], volume.replace('proxies: [px-1]', 'proxies: []')) });
    await waitFor('db-1 to stop shipping pg', () => logs().some((l) => /ship: pg: the tree names no proxy any more/.test(String(l.msg))), { timeoutMs: 60_000 }).catch(dump);
    const stopped = await readCapture(p.capture, 'pg');
    expect((await readProxyState(proxyPaths(px1!.dataDir, 'pg')))?.received?.lsid ?? Infinity).toBeGreaterThanOrEqual(stopped.shipped.lsid);
    execFileSync('fio', ['--name=after', `--filename=${p.file}`, '--ioengine=psync', '--direct=1', '--rw=randwrite', '--bs=4k', '--size=1m', '--output=/dev/null']);
    await new Promise((r) => setTimeout(r, 3000));
    const st = await wdevStatus(dataDir, 'pg');
    expect((await readCapture(p.capture, 'pg')).shipped.lsid).toBe(stopped.shipped.lsid);
    expect(st.oldestLsid).toBeLessThanOrEqual(stopped.shipped.lsid);
    expect(st.permanentLsid).toBeGreaterThan(stopped.shipped.lsid);
  });
});
