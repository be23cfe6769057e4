/**
 * A mixed fleet from one git repository: WalB's real walb-proxy on px-1 (`driver: walb`), brought to
 * the tree by `walbctl apply --host px-1` through the real walbc, and a `walbctl daemon` on ar-1 with
 * `archive.walbListen`. The test plays the storage db-1: it ships log batches to walb-proxy with
 * WalB's wlog-transfer; walb-proxy forwards them with wdiff-transfer to ar-1's daemon, and every gid
 * restores on ar-1 to the bytes the batches wrote. walb-proxy is restarted in the middle with a diff
 * it could not forward yet; nothing is lost. Skips, saying why, without openssl or WalB's binaries.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { restorable } from '../../native/lib/archive/query.js';
import { restore } from '../../native/lib/archive/restore.js';
import { walbBatchSender } from '../../native/lib/wire/walb/ship.js';
import { fileBatchWlog } from '../../native/lib/wdev/ship-log.js';
import { observeProxy } from '../../reconciler/drivers/walb/proxy.js';
import { archiveWithBase, BatchSource, sha1 } from '../native/proxy/_fixture.js';
import { freePort, type RunningWalbProxy, startWalbProxy, walbcBin, walbcOptions, walbSkipReason } from '../helpers/walb-proxy.js';
import { walbctlProcess } from '../helpers/cli.js';
import { makeRepo, waitFor, type RunningDaemon } from './daemon-harness.js';
import { fleetHostYaml, makeHosts, startHostDaemon, stopDaemons } from './fleet-harness.js';
import { pgVolumeYaml, walbProxyHostYaml, withWalbListen } from './walb-fleet-harness.js';

const skip = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
  } catch {
    return 'needs openssl';
  }
  return walbSkipReason || null;
})();

const daemons: RunningDaemon[] = [];
let root = '';
let px: RunningWalbProxy | undefined;
afterAll(async () => {
  await stopDaemons(daemons);
  await px?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe.skipIf(skip !== null)(`a walb-proxy between walbctl hosts${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('walb-proxy, applied from the tree, carries db-1\'s batches to ar-1\'s daemon across its restart; every gid restores', { timeout: 180_000 }, async () => {
    root = mkdtempSync(join(tmpdir(), 'walbctl-walb-fleet-'));
    const [db1, ar1] = await makeHosts(root, [
      { name: 'db-1', address: '127.0.0.81' },
      { name: 'ar-1', address: '127.0.0.83' },
    ]);
    px = await startWalbProxy(join(root, 'px-1'));
    const walbPort = await freePort();
    const src = new BatchSource(join(root, 'batches'), 'pg', 5);
    mkdirSync(src.dir, { recursive: true });
    // ar-1 holds pg's base (the all-zero image at gid 0), as db-1's full backup would have left it.
    await archiveWithBase(ar1!.dataDir, 'pg', src.uuid);
    const volume = pgVolumeYaml('volumes/pg.img', '4MiB', 'scan');
    const repo = makeRepo();
    repo.commit('db-1 ships pg through the walb-proxy px-1 to the walbctl archive ar-1', {
      'hosts/db-1.yaml': fleetHostYaml(db1!, ['storage'], volume),
      'hosts/px-1.yaml': walbProxyHostYaml(root, px.server.port),
      'hosts/ar-1.yaml': withWalbListen(fleetHostYaml(ar1!, ['archive']), ar1!.address, walbPort),
    });
    daemons.push(startHostDaemon(repo.dir, 'ar-1'));
    const logs = () => daemons.flatMap((d) => d.logs).filter((l) => l.level !== 20);
    const apply = walbctlProcess(['apply', '--host', 'px-1'], { cwd: repo.dir, env: { WALBC: walbcBin } });
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(apply.stdout).toContain(`add-destination`);
    expect(await observeProxy(px.server, 'pg', walbcOptions)).toEqual({ state: 'Started', archives: ['ar-1'] });

    const send = walbBatchSender({ host: '127.0.0.1', port: px.server.port }, 'db-1');
    const ship = async (i: number) => {
      const b = await src.next({ explicit: i === 1 });
      await send(b.meta, fileBatchWlog(b.wlog, b.meta.wlogBytes));
    };
    await waitFor('ar-1 to serve WalB\'s wdiff-transfer', () => logs().some((l) => /serving WalB's wdiff-transfer/.test(String(l.msg))), { timeoutMs: 60_000, logs: logs() });
    for (let i = 0; i < 3; i++) {
      await ship(i);
      await waitFor(`ar-1 to hold gid ${i + 1}`, async () => (await restorable(ar1!.dataDir, 'pg')).at(-1)?.gid === i + 1, { timeoutMs: 60_000, logs: logs() });
    }
    // walb-proxy stops with gid 4 acknowledged to db-1 but maybe not yet forwarded, and comes back.
    await ship(3);
    const port = px.server.port;
    await px.stop();
    px = await startWalbProxy(join(root, 'px-1'), { port });
    await ship(4);
    await waitFor('ar-1 to hold gid 5', async () => (await restorable(ar1!.dataDir, 'pg')).at(-1)?.gid === 5, { timeoutMs: 90_000, logs: logs() });

    const gids = (await restorable(ar1!.dataDir, 'pg')).map((r) => r.gid);
    expect(gids).toEqual(expect.arrayContaining([2, 3, 5]));
    for (const gid of gids) {
      const out = join(root, `r-${gid}.img`);
      await restore(ar1!.dataDir, 'pg', gid, { path: out, mode: 'copy' });
      expect(sha1(readFileSync(out)), `gid ${gid}`).toBe(src.shaAt.get(gid));
    }
    // The plan made again on px-1 has nothing to do.
    expect(walbctlProcess(['plan', '--host', 'px-1'], { cwd: repo.dir, env: { WALBC: walbcBin } }).stdout).toMatch(/^No changes\. px-1 matches the repository\.$/m);
  });
});
