/**
 * `walbctl plan` and `walbctl apply` as processes on a `driver: walb` storage host: the real walbc
 * against a stand-in walb-storage (test/helpers/walb-standin.ts; walb-storage needs WalB's kernel
 * driver and cannot run here). The plan prints init-vol with the walb device and the full backup (the
 * primary walb-archive asked through walbc: initialised); apply runs them, following the backup
 * through WalB's temporary states to Target.
 */
import { rmSync } from 'node:fs';

import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';

import { binPath } from '../../../helpers/cli.js';
import { makeRepo, type Repo } from '../../../e2e/daemon-harness.js';
import { type RunningStandin, type StandinAnswer, startWalbStandin } from '../../../helpers/walb-standin.js';
import { walbcBin, walbSkipReason } from '../../../helpers/walb-proxy.js';

if (walbSkipReason) console.warn(`walb/storage-plan-apply.test.ts skipped: ${walbSkipReason}`);

async function walbctl(cwd: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await execa(process.execPath, [binPath, ...args], { cwd, env: { WALBC: walbcBin }, reject: false, timeout: 120_000 });
  return { code: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** walb-storage: Clear until init-vol, SyncReady until full-bkp, then FullSync, Stopped, StartTarget, Target. */
function storage() {
  let states = ['Clear'];
  const next = (): string => (states.length > 1 ? states.shift()! : states[0]!);
  return (cmd: string, p: string[]): StandinAnswer => {
    if (cmd === 'init-vol') { states = ['SyncReady']; return {}; }
    if (cmd === 'full-bkp') { states = ['FullSync', 'FullSync', 'Stopped', 'StartTarget', 'Target']; return {}; }
    if (cmd !== 'get') return { error: `unexpected ${cmd}` };
    switch (p[0]) {
      case 'vol': return { value: states[0] === 'Clear' ? [] : ['pg'] };
      case 'state': return { value: next() };
      case 'uuid': return { value: '0123456789abcdef0123456789abcdef' };
      case 'is-overflow': return { value: 0 };
      case 'log-usage': case 'latest-snap': case 'ts-delta': return { value: [] };
      default: return { error: `no ${p[0]}` };
    }
  };
}

describe.skipIf(walbSkipReason !== '')('walbctl plan and apply on a driver: walb storage host (real walbc, stand-in walb-storage)', () => {
  let standin: RunningStandin | undefined;
  let archive: RunningStandin | undefined;
  let repo: Repo | undefined;
  afterAll(async () => {
    await standin?.close();
    await archive?.close();
    if (repo) rmSync(repo.dir, { recursive: true, force: true });
  });

  it('plans init-vol with the walb device and the full backup, and applies them to Target', async () => {
    standin = await startWalbStandin(storage(), { nodeId: 'db-1' });
    // ar-1's walb-archive, initialised (SyncReady): the storage's peer, asked through walbc.
    archive = await startWalbStandin((cmd, p) => (cmd === 'get' && p[0] === 'state' ? { value: 'SyncReady' } : { error: 'unexpected' }), { nodeId: 'ar-1' });
    repo = makeRepo();
    repo.commit('tree', {
      'hosts/db-1.yaml': `host: db-1
address: 127.0.0.1
roles: [storage]
dataDir: data/db-1
createDataDir: true
driver: walb
storage:
  listen: 127.0.0.1:${standin.server.port}
volumes:
  pg:
    device:
      path: /dev/walb/pg
      size: 1GiB
    proxies: []
    archives: [ar-1]
    snapshots:
      every: 1h
    retention:
      keepDaily: 7
`,
      'hosts/ar-1.yaml': `host: ar-1\naddress: 127.0.0.1\nroles: [archive]\ndataDir: data/ar-1\ndriver: walb\narchive:\n  listen: 127.0.0.1:${archive.server.port}\n`,
    });
    const plan = await walbctl(repo.dir, 'plan', '--host', 'db-1');
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('walbc="init-vol pg /dev/walb/pg"');
    expect(plan.stdout).toContain('walbc="full-bkp pg"');
    expect(plan.stdout).not.toContain('blocked');

    const apply = await walbctl(repo.dir, 'apply', '--host', 'db-1');
    expect(apply.stdout + apply.stderr).toMatch(/^Apply \w+: [1-9]\d* done, 0 failed/m);
    const commands = standin.calls.filter((c) => c.command !== 'get').map((c) => `${c.command} ${c.params.join(' ')}`);
    expect(commands.slice(0, 2)).toEqual(['init-vol pg /dev/walb/pg', 'full-bkp pg']);
    // Followed: the states after full-bkp were asked until Target.
    expect(standin.calls.filter((c) => c.command === 'get' && c.params[0] === 'state').length).toBeGreaterThanOrEqual(6);
  }, 240_000);
});
