/**
 * The proxy role in the daemon: `walbctl daemon` processes for px-1 (proxy) and ar-1 (archive) from
 * one git repository, on their own loopback addresses with certificates made here. The test plays
 * the storage host db-1 (its host file names the volume, px-1 as its proxy and ar-1 as its archive):
 * it sends batches of logpacks over mutual TLS to px-1's daemon, which spools them and forwards them
 * to ar-1's daemon; every gid then restores on ar-1 to the bytes the batches wrote. A host the tree
 * does not name as a sender of the volume is refused.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { restorable } from '../../native/lib/archive/query.js';
import { restore } from '../../native/lib/archive/restore.js';
import { sendLogBatch } from '../../native/lib/proxy/log-batch.js';
import { proxyPaths } from '../../native/lib/proxy/layout.js';
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

const daemons: RunningDaemon[] = [];
let root = '';
afterAll(async () => {
  await stopDaemons(daemons);
  if (root) rmSync(root, { recursive: true, force: true });
});

describe.skipIf(!hasOpenssl)('the proxy role in a fleet of daemons', () => {
  it('px-1 spools db-1 batches and forwards them to ar-1, where every gid restores to the written bytes', { timeout: 180_000 }, async () => {
    root = mkdtempSync(join(tmpdir(), 'walbctl-proxy-fleet-'));
    const [db1, px1, ar1] = await makeHosts(root, [
      { name: 'db-1', address: '127.0.0.61' },
      { name: 'px-1', address: '127.0.0.62' },
      { name: 'ar-1', address: '127.0.0.63' },
    ]);
    const src = new BatchSource(join(root, 'batches'), 'pg', 3);
    mkdirSync(src.dir, { recursive: true });
    mkdirSync(join(db1!.dataDir, 'volumes'), { recursive: true });
    writeFileSync(join(db1!.dataDir, 'volumes', 'pg.img'), Buffer.alloc(4 << 20));
    // ar-1 holds pg's base (the all-zero image at gid 0), as a full backup would have left it.
    await archiveWithBase(ar1!.dataDir, 'pg', src.uuid);
    const volume = `volumes:
  pg:
    device:
      path: volumes/pg.img
      size: 4MiB
    capture: scan
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
      'hosts/px-1.yaml': fleetHostYaml(px1!, ['proxy'], `proxy:\n  listen: ${px1!.address}:${px1!.wirePort}\n  spoolLimit: 64MiB\n`),
      'hosts/ar-1.yaml': fleetHostYaml(ar1!, ['archive']),
    });
    for (const h of [ar1!, px1!]) daemons.push(startHostDaemon(repo.dir, h.name));
    const logs = () => daemons.flatMap((d) => d.logs).filter((l) => l.level !== 20);
    await waitFor('px-1 to proxy pg to ar-1', async () => (await readProxyState(proxyPaths(px1!.dataDir, 'pg')))?.state === 'Started', { timeoutMs: 60_000, logs: logs() });

    const db = new WireClient({ host: 'db-1', tls: db1!.tls, connectTimeoutMs: 5000 });
    const peer = { host: 'px-1', address: px1!.address, port: px1!.wirePort };
    let last: Awaited<ReturnType<BatchSource['next']>> | null = null;
    for (let i = 0; i < 5; i++) {
      const b = (last = await src.next({ explicit: i === 1 }));
      await waitFor(`px-1 to take batch ${i}`, async () => sendLogBatch(db, peer, { meta: b.meta, wlog: b.wlog }).then(() => true, () => false), { timeoutMs: 30_000, logs: logs() });
    }
    // The same batch again (a lost acknowledgement) is answered without being stored twice.
    expect((await sendLogBatch(db, peer, { meta: last!.meta, wlog: last!.wlog })).outcome).toBe('already');

    await waitFor('ar-1 to hold gid 5', async () => (await restorable(ar1!.dataDir, 'pg')).at(-1)?.gid === 5, { timeoutMs: 60_000, logs: logs() }).catch(async (e: Error) => {
      throw new Error(`${e.message}\nproxy state: ${JSON.stringify(await readProxyState(proxyPaths(px1!.dataDir, 'pg')))}\n${logs().filter((l) => /wire|proxy|refus/.test(JSON.stringify(l))).slice(-10).map((l) => JSON.stringify(l)).join('\n')}`);
    });
    const gids = (await restorable(ar1!.dataDir, 'pg')).map((r) => r.gid);
    expect(gids).toEqual(expect.arrayContaining([2, 5]));
    for (const gid of gids) {
      const out = join(root, `r-${gid}.img`);
      await restore(ar1!.dataDir, 'pg', gid, { path: out, mode: 'copy' });
      expect(sha1(readFileSync(out)), `gid ${gid}`).toBe(src.shaAt.get(gid));
    }

    // ar-1 may not send pg's log: the tree names only db-1 (and its proxies) as senders.
    const stranger = new WireClient({ host: 'ar-1', tls: ar1!.tls, connectTimeoutMs: 5000 });
    const b = await src.next();
    await expect(sendLogBatch(stranger, peer, { meta: b.meta, wlog: b.wlog })).rejects.toMatchObject({ reject: 'not-authorized' });
  });
});

