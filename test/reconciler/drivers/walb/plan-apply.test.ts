/**
 * walbctl plan and apply on a `driver: walb` proxy host, as real processes against WalB's real
 * walb-proxy (driven by the real walbc): the plan prints the walbc commands, apply runs them, and the
 * plan made again is empty; a change of the tree's archives and a volume dropped from the tree follow.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { observeProxy } from '../../../../reconciler/drivers/walb/proxy.js';
import { walbctlProcess } from '../../../helpers/cli.js';
import { makeRepo, type Repo } from '../../../e2e/daemon-harness.js';
import { type RunningWalbProxy, startWalbProxy, walbcBin, walbcOptions, walbSkipReason } from '../../../helpers/walb-proxy.js';

if (walbSkipReason) console.warn(`walb/plan-apply.test.ts skipped: ${walbSkipReason}`);

const storageHost = (volumes: { name: string; archives: string[] }[]) => `host: db-1
address: 127.0.0.1
roles: [storage]
dataDir: data/db-1
volumes:
${volumes.map((v) => `  ${v.name}:
    device:
      path: ${v.name}.img
      size: 4MiB
    proxies: [px-1]
    archives: [${v.archives.join(', ')}]
    snapshots:
      every: 1h
    retention:
      keepLast: 3
`).join('')}`;
const proxyHost = (port: number) => `host: px-1
address: 127.0.0.1
roles: [proxy]
dataDir: data/px-1
createDataDir: true
driver: walb
proxy:
  listen: 127.0.0.1:${port}
`;
/** ar-1 a walbctl archive (walb-proxy forwards to its archive.walbListen), the others WalB archives. */
const archiveHost = (name: string, port: number) => `host: ${name}
address: 127.0.0.1
roles: [archive]
dataDir: data/${name}
${name === 'ar-1' ? `archive:\n  listen: 127.0.0.1:1\n  walbListen: 127.0.0.1:${port}\n` : `driver: walb\narchive:\n  listen: 127.0.0.1:${port}\n`}`;

describe.skipIf(walbSkipReason !== '')('walbctl plan and apply on a walb-proxy host', () => {
  let dir = '';
  let running: RunningWalbProxy;
  let repo: Repo;
  const run = (...args: string[]) => walbctlProcess(args, { cwd: repo.dir, env: { WALBC: walbcBin } });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'walbctl-walb-apply-'));
    running = await startWalbProxy(dir);
    repo = makeRepo();
    repo.commit('tree', {
      'hosts/db-1.yaml': storageHost([{ name: 'pg', archives: ['ar-1', 'ar-2'] }, { name: 'web', archives: ['ar-1'] }]),
      'hosts/px-1.yaml': proxyHost(running.server.port),
      'hosts/ar-1.yaml': archiveHost('ar-1', 10201),
      'hosts/ar-2.yaml': archiveHost('ar-2', 10202),
    });
  }, 60_000);
  afterAll(async () => {
    await running?.stop();
    rmSync(dir, { recursive: true, force: true });
    if (repo) rmSync(repo.dir, { recursive: true, force: true });
  });

  it('prints the walbc commands, runs them, and then has nothing to do', async () => {
    const plan = run('plan', '--host', 'px-1');
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('+ add-destination role=proxy to=ar-1 address=127.0.0.1:10201 walbc="archive-info add pg ar-1 127.0.0.1:10201"');
    expect(plan.stdout).toContain('walbc="archive-info add pg ar-2 127.0.0.1:10202"');
    expect(plan.stdout).toContain('~ start role=proxy walbc="start pg"');
    expect(plan.stdout).toContain('walbc="archive-info add web ar-1 127.0.0.1:10201"');
    expect(plan.stdout).toMatch(/^Plan: 3 to create, 2 to change, 0 to destroy, 0 data actions\.$/m);

    const apply = run('apply', '--host', 'px-1');
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(apply.stdout).toMatch(/^Apply complete: 5 done, 0 failed/m);
    expect(await observeProxy(running.server, 'pg', walbcOptions)).toEqual({ state: 'Started', archives: ['ar-1', 'ar-2'] });
    expect(await observeProxy(running.server, 'web', walbcOptions)).toEqual({ state: 'Started', archives: ['ar-1'] });

    const again = run('plan', '--host', 'px-1', '--detailed-exitcode');
    expect(again.stdout).toMatch(/^No changes\. px-1 matches the repository\.$/m);
    expect(again.code).toBe(0);
    const observed = JSON.parse(run('show', 'observed', '--host', 'px-1', '--json').stdout);
    expect(observed.volumes.pg.proxy).toEqual({ state: 'Started', archives: ['ar-1', 'ar-2'] });
  });

  it('swaps an archive around a stop and a start, and clears a volume the tree dropped', async () => {
    repo.commit('pg to ar-1 only; web dropped', { 'hosts/db-1.yaml': storageHost([{ name: 'pg', archives: ['ar-1'] }]) });
    const plan = run('plan', '--host', 'px-1');
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/~ stop role=proxy walbc="stop pg"\n.*\n {2}- delete-destination role=proxy to=ar-2 walbc="archive-info delete pg ar-2"\n.*\n {2}~ start role=proxy walbc="start pg"/);
    expect(plan.stdout).toMatch(/- delete-destination role=proxy to=ar-1 walbc="archive-info delete web ar-1"\n.*the volume was removed from the repository.*walb-proxy clears the volume/);

    const apply = run('apply', '--host', 'px-1');
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(await observeProxy(running.server, 'pg', walbcOptions)).toEqual({ state: 'Started', archives: ['ar-1'] });
    expect(await observeProxy(running.server, 'web', walbcOptions)).toBeUndefined();
    expect(run('plan', '--host', 'px-1').stdout).toMatch(/^No changes\. px-1 matches the repository\.$/m);
  });

  it('reports WalB\'s failures naming the server and the command, and keeps the proxy\'s volumes across its restart', async () => {
    await running.stop();
    const down = run('plan', '--host', 'px-1');
    expect(down.code).toBe(1);
    expect(down.stderr).toContain(`WalB server 127.0.0.1:${running.server.port}: walbc status failed (exit 1)`);
    // The same base directory and port: walb-proxy reads its volumes back and walbctl finds nothing to do.
    running = await startWalbProxy(dir, { port: running.server.port });
    expect(await observeProxy(running.server, 'pg', walbcOptions)).toEqual({ state: 'Started', archives: ['ar-1'] });
    expect(run('plan', '--host', 'px-1').stdout).toMatch(/^No changes\. px-1 matches the repository\.$/m);
  });
});
