/**
 * Sync and async replication in one fleet, the shape: ar-1 replicates async to ar-2 and sync
 * to ar-3, ar-2 onward to ar-4. px-1 (proxy) and ar-1..ar-4 (archives) are each a `walbctl daemon`
 * process of one repository over mutual TLS; the test plays the storage host db-1, sending batches
 * of logpacks to px-1. ar-1's `synchronize` catches ar-3 up by one replication; px-1's proxy role
 * then joins ar-3 to its forwarding, so every later batch reaches both archives from the proxy
 * itself — shown with ar-1's daemon stopped, when no replication can carry it (ar-2 and ar-4 wait
 * for ar-1 meanwhile, and catch up by its async pair and ar-2's once it is back). Every gid restores
 * on all four archives to the bytes the batches wrote, and removing the sync pair from the tree
 * makes px-1 drain and drop ar-3 (stop-synchronize).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { observeArchive } from '../../native/lib/archive/query.js';
import { deleteRestored, restore } from '../../native/lib/archive/restore.js';
import { proxyPaths } from '../../native/lib/proxy/layout.js';
import { sendLogBatch } from '../../native/lib/proxy/log-batch.js';
import { readProxyState } from '../../native/lib/proxy/state.js';
import { WireClient } from '../../native/lib/wire/index.js';
import { archiveWithBase, BatchSource, sha1 } from '../native/proxy/_fixture.js';
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

const daemons = new Map<string, RunningDaemon>();
let root = '';
afterAll(async () => {
  await stopDaemons([...daemons.values()]);
  if (root) rmSync(root, { recursive: true, force: true });
});

const volumeYaml = (pairs: string): string => `volumes:
  pg:
    device:
      path: volumes/pg.img
      size: 4MiB
    capture: scan
    proxies: [px-1]
    archives:
      - ar-1
      - { host: ar-2, primary: false }
      - { host: ar-3, primary: false }
      - { host: ar-4, primary: false }
    snapshots:
      every: 1h
    retention:
      keepLast: 100
${pairs}`;

/** The async pairs of the fleet: ar-1 to ar-2, ar-2 onward to ar-4. */
const ASYNC = '      - { from: ar-1, to: ar-2, every: 2s }\n      - { from: ar-2, to: ar-4, every: 2s }\n';

describe.skipIf(!hasOpenssl)('sync replication: the proxy feeds a synchronized target too', () => {
  it('ar-1 replicates async to ar-2 (and ar-2 to ar-4) and synchronizes ar-3, which px-1 then feeds too, until the sync pair leaves the tree', { timeout: 300_000 }, async () => {
    root = mkdtempSync(join(tmpdir(), 'walbctl-repl-sync-'));
    const [db1, px1, ar1, ar3, ar2, ar4] = await makeHosts(root, [
      { name: 'db-1', address: '127.0.0.71' },
      { name: 'px-1', address: '127.0.0.72' },
      { name: 'ar-1', address: '127.0.0.73' },
      { name: 'ar-3', address: '127.0.0.74' },
      { name: 'ar-2', address: '127.0.0.75' },
      { name: 'ar-4', address: '127.0.0.76' },
    ]);
    const src = new BatchSource(join(root, 'batches'), 'pg', 7);
    mkdirSync(src.dir, { recursive: true });
    mkdirSync(join(db1!.dataDir, 'volumes'), { recursive: true });
    writeFileSync(join(db1!.dataDir, 'volumes', 'pg.img'), Buffer.alloc(4 << 20));
    await archiveWithBase(ar1!.dataDir, 'pg', src.uuid);
    const repo = makeRepo();
    const tree = (pairs: string) => ({
      'hosts/db-1.yaml': fleetHostYaml(db1!, ['storage'], volumeYaml(pairs)),
      'hosts/px-1.yaml': fleetHostYaml(px1!, ['proxy'], `proxy:\n  listen: ${px1!.address}:${px1!.wirePort}\n  spoolLimit: 64MiB\n`),
      'hosts/ar-1.yaml': fleetHostYaml(ar1!, ['archive']),
      'hosts/ar-3.yaml': fleetHostYaml(ar3!, ['archive']),
      'hosts/ar-2.yaml': fleetHostYaml(ar2!, ['archive']),
      'hosts/ar-4.yaml': fleetHostYaml(ar4!, ['archive']),
    });
    repo.commit('db-1 ships pg through px-1 to ar-1, which replicates it to ar-3 in sync and to ar-2 async, ar-2 onward to ar-4', tree(`    replication:\n      - { from: ar-1, to: ar-3, mode: sync }\n${ASYNC}`));
    const start = (h: { name: string }) => daemons.set(h.name, startHostDaemon(repo.dir, h.name));
    for (const h of [ar4!, ar3!, ar2!, ar1!, px1!]) start(h);
    const all = () => [...daemons.values()].flatMap((d) => d.logs).filter((l) => l.level !== 20);
    const logs = { slice: (n: number) => all().slice(n) } as unknown as unknown[];
    const newestOn = async (dataDir: string) => (await observeArchive(dataDir, 'pg'))?.restorable.at(-1)?.gid ?? -1;
    const proxied = async () => Object.keys((await readProxyState(proxyPaths(px1!.dataDir, 'pg')))?.archives ?? {}).sort();
    await waitFor('px-1 to proxy pg to ar-1', async () => (await readProxyState(proxyPaths(px1!.dataDir, 'pg')))?.state === 'Started', { timeoutMs: 60_000, logs });

    const db = new WireClient({ host: 'db-1', tls: db1!.tls, connectTimeoutMs: 5000 });
    const peer = { host: 'px-1', address: px1!.address, port: px1!.wirePort };
    const ship = async (n: number): Promise<number> => {
      for (let i = 0; i < n; i++) {
        const b = await src.next({ explicit: true });
        await waitFor(`px-1 to take the batch to gid ${src.gid}`, async () => sendLogBatch(db, peer, { meta: b.meta, wlog: b.wlog }).then(() => true, () => false), { timeoutMs: 30_000, logs });
      }
      return src.gid;
    };

    // Before ar-3 holds pg, px-1 feeds ar-1 only; ar-1's synchronize brings ar-3 to where ar-1 stands.
    const first = await ship(2);
    await waitFor(`ar-3 to reach gid ${first} by the sync pair's replication`, async () => (await newestOn(ar3!.dataDir)) >= first, { timeoutMs: 90_000, logs });
    await waitFor('px-1 to join ar-3 to its forwarding', async () => (await proxied()).includes('ar-3'), { timeoutMs: 60_000, logs });
    expect(all().some((l) => l.host === 'ar-1' && String(l.msg).startsWith('synchronize done'))).toBe(true);
    for (const h of [ar2!, ar4!]) await waitFor(`${h.name} to reach gid ${first} by the async pairs`, async () => (await newestOn(h.dataDir)) >= first, { timeoutMs: 90_000, logs });
    // The proxy feeds the primary and the sync target only; ar-2 and ar-4 are fed by replication.
    expect(await proxied()).toEqual(['ar-1', 'ar-3']);

    // With ar-1's daemon (and its wire) stopped, nothing replicates: ar-3 gets the next batches from px-1.
    const a1 = daemons.get('ar-1')!;
    a1.child.kill('SIGTERM');
    await a1.exited;
    const second = await ship(3);
    await waitFor(`ar-3 to reach gid ${second} from the proxy`, async () => (await newestOn(ar3!.dataDir)) >= second, { timeoutMs: 90_000, logs });
    expect(await newestOn(ar1!.dataDir)).toBeLessThan(second);
    expect(await newestOn(ar2!.dataDir)).toBeLessThan(second);
    start(ar1!);
    await waitFor(`ar-1 to reach gid ${second} once it is back`, async () => (await newestOn(ar1!.dataDir)) >= second, { timeoutMs: 120_000, logs });
    for (const h of [ar2!, ar4!]) await waitFor(`${h.name} to reach gid ${second} once ar-1 is back`, async () => (await newestOn(h.dataDir)) >= second, { timeoutMs: 90_000, logs });
    expect(Object.keys((await observeArchive(ar1!.dataDir, 'pg'))!.replicas).sort()).toEqual(['ar-2', 'ar-3']);
    expect(Object.keys((await observeArchive(ar2!.dataDir, 'pg'))!.replicas)).toEqual(['ar-4']);

    for (const h of [ar1!, ar2!, ar3!, ar4!]) {
      const gids = (await observeArchive(h.dataDir, 'pg'))!.restorable.map((r) => r.gid);
      expect(gids).toEqual(expect.arrayContaining([first, second]));
      for (const gid of gids) {
        const out = join(root, `${h.name}-${gid}.img`);
        await restore(h.dataDir, 'pg', gid, { path: out, mode: 'copy' });
        expect({ host: h.name, gid, sha1: sha1(readFileSync(out)) }).toEqual({ host: h.name, gid, sha1: src.shaAt.get(gid) });
        await deleteRestored(h.dataDir, 'pg', gid);
        rmSync(out, { force: true });
      }
    }

    // stop-synchronize: the sync pair leaves the tree (ar-3 stays, fed asynchronously), px-1 drains ar-3's queue and drops it.
    repo.commit('ar-3 is replicated to asynchronously now, not in sync', tree(`    replication:\n      - { from: ar-1, to: ar-3, every: 1h }\n${ASYNC}`));
    await waitFor('px-1 to drop ar-3', async () => JSON.stringify(await proxied()) === JSON.stringify(['ar-1']), { timeoutMs: 60_000, logs });
  });
});
