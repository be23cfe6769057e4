/**
 * `walbctl plan` and `walbctl apply` as processes on a `driver: walb` archive host: the real walbc
 * against stand-in walb-archives (test/helpers/walb-standin.ts; walb-archive cannot run here). The
 * plan prints the replicate command and shows what WalB cannot do blocked with the reason; apply runs
 * the replication to its end; WalB's refusal reaches apply's report naming the server and the command.
 */
import { rmSync } from 'node:fs';

import { execa } from 'execa';
import { afterAll, afterEach, describe, expect, it } from 'vitest';

import { binPath } from '../../../helpers/cli.js';
import { makeRepo, type Repo } from '../../../e2e/daemon-harness.js';
import { type RunningStandin, type StandinAnswer, startWalbStandin } from '../../../helpers/walb-standin.js';
import { walbcBin, walbSkipReason } from '../../../helpers/walb-proxy.js';

if (walbSkipReason) console.warn(`walb/archive-plan-apply.test.ts skipped: ${walbSkipReason}`);

/** walbctl as a child process, without blocking this process (the stand-ins answer from here). */
async function walbctl(cwd: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await execa(process.execPath, [binPath, ...args], { cwd, env: { WALBC: walbcBin }, reject: false, timeout: 120_000 });
  return { code: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString().replace(/\.\d+Z$/, '');

/** ar-1 holds pg with snapshots 3 and 5; `refuse` makes it refuse the replicate as walb-archive would. */
function sender(refuse: boolean, volumes: string[] = ['pg']) {
  const t3 = iso(600_000);
  const t5 = iso(300_000);
  let replicating = 0;
  return (cmd: string, p: string[]): StandinAnswer => {
    if (cmd === 'replicate') {
      if (refuse) return { error: 'c2aReplicateServer:bad state:pg:Stopped' };
      replicating = 2;
      return {};
    }
    if (cmd !== 'get') return { error: `unexpected ${cmd}` };
    switch (p[0]) {
      case 'vol': return { value: volumes };
      case 'state': return { value: 'Archived' };
      case 'base': return { value: '<|3|>-20261205070000' };
      case 'diff': return { value: [`|3|-->|5| M- ${t5} 4096`] };
      case 'restorable': return { value: [`3 ${t3}`, `5 ${t5}`] };
      case 'restored': return { value: [] };
      case 'uuid': return { value: '0123456789abcdef0123456789abcdef' };
      case 'volume-group': return { value: 'vg0' };
      case 'num-action': return { value: replicating > 0 ? replicating-- : 0 };
      default: return { error: `no ${p[0]}` };
    }
  };
}

/** ar-2 holds nothing until init-vol, then what the replication brought (gid 5). */
function receiver() {
  let state = 'Clear';
  const t5 = iso(300_000);
  return (cmd: string, p: string[]): StandinAnswer => {
    if (cmd === 'init-vol') { state = 'Archived'; return {}; }
    if (cmd !== 'get') return { error: `unexpected ${cmd}` };
    if (p[0] === 'state') return { value: state };
    if (p[0] === 'restorable') return { value: state === 'Clear' ? [] : [`5 ${t5}`] };
    return { error: `no ${p[0]}` };
  };
}

const tree = (ar1: number, ar2: number) => ({
  'hosts/db-1.yaml': `host: db-1
address: 127.0.0.1
roles: [storage]
dataDir: data/db-1
driver: walb
storage:
  listen: 127.0.0.1:1
volumes:
  pg:
    device:
      path: /dev/walb/pg
      size: 1GiB
    proxies: []
    archives: [ar-1, { host: ar-2, primary: false }, { host: ar-3, primary: false }]
    snapshots:
      every: 1h
    retention:
      keepDaily: 7
    replication:
      - { from: ar-1, to: ar-2, mode: async, every: 1h, compression: zstd }
      - { from: ar-1, to: ar-3, mode: async, every: 1h }
`,
  'hosts/ar-1.yaml': `host: ar-1\naddress: 127.0.0.1\nroles: [archive]\ndataDir: data/ar-1\ncreateDataDir: true\ndriver: walb\narchive:\n  listen: 127.0.0.1:${ar1}\n`,
  'hosts/ar-2.yaml': `host: ar-2\naddress: 127.0.0.1\nroles: [archive]\ndataDir: data/ar-2\ndriver: walb\narchive:\n  listen: 127.0.0.1:${ar2}\n`,
  'hosts/ar-3.yaml': 'host: ar-3\naddress: 127.0.0.1\nroles: [archive]\ndataDir: data/ar-3\narchive:\n  listen: 127.0.0.1:1\n  walbListen: 127.0.0.1:2\n',
});

describe.skipIf(walbSkipReason !== '')('walbctl plan and apply on a driver: walb archive host (real walbc, stand-in walb-archives)', () => {
  const standins: RunningStandin[] = [];
  const repos: Repo[] = [];
  afterEach(async () => { for (const s of standins.splice(0)) await s.close(); });
  afterAll(() => { for (const r of repos) rmSync(r.dir, { recursive: true, force: true }); });

  async function setUp(refuse: boolean, volumes?: string[]): Promise<{ repo: Repo; a1: RunningStandin; a2: RunningStandin }> {
    const a1 = await startWalbStandin(sender(refuse, volumes), { nodeId: 'ar-1' });
    const a2 = await startWalbStandin(receiver(), { nodeId: 'ar-2' });
    standins.push(a1, a2);
    const repo = makeRepo();
    repos.push(repo);
    repo.commit('tree', tree(a1.server.port, a2.server.port));
    return { repo, a1, a2 };
  }

  it('plans the replication with its walbc command, blocks the one WalB cannot do, and applies it to its end', async () => {
    const { repo, a1, a2 } = await setUp(false);
    const plan = await walbctl(repo.dir, 'plan', '--host', 'ar-1');
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain(`walbc="replicate pg gid 5 127.0.0.1:${a2.server.port} 1 0 zstd:0:1"`);
    expect(plan.stdout).toMatch(/> replicate to=ar-3 [^\n]*\n[^\n]*\n\s+# blocked: walb-archive replicates only to another walb-archive \(WalB's repl-sync\); ar-3 is a walbctl archive, which does not speak repl-sync/);

    const apply = await walbctl(repo.dir, 'apply', '--host', 'ar-1');
    expect(apply.stdout).toMatch(/^Apply incomplete: the plan could not be carried out whole: 1 done, 0 failed, 1 blocked/m);
    expect(a2.calls.filter((c) => c.command === 'init-vol')).toHaveLength(1);
    expect(a1.calls.filter((c) => c.command === 'replicate').map((c) => c.params.join(' '))).toEqual([`pg gid 5 127.0.0.1:${a2.server.port} 1 0 zstd:0:1`]);

    // ar-2 now restores gid 5: nothing to replicate there until the schedule comes round.
    const again = await walbctl(repo.dir, 'plan', '--host', 'ar-1');
    expect(again.stdout).not.toContain(`127.0.0.1:${a2.server.port} 1 0`);
  }, 240_000);

  it('reports WalB\'s refusal naming the server and the command', async () => {
    const { repo, a1 } = await setUp(true);
    const apply = await walbctl(repo.dir, 'apply', '--host', 'ar-1');
    expect(apply.stdout).toMatch(/^Apply failed: 0 done, 1 failed, 1 blocked/m);
    expect(apply.code).not.toBe(0);
    expect(apply.stdout).toMatch(new RegExp(`> db-1/pg replicate: failed \\([\\d.]+ s\\): WalB server 127\\.0\\.0\\.1:${a1.server.port}: walbc replicate pg gid 5 127\\.0\\.0\\.1:\\d+ 1 0 zstd:0:1 failed \\(exit 1\\): c2aReplicateClient:c2aReplicateServer:bad state:pg:Stopped`));
  }, 240_000);

  it('plans a volume walb-archive holds that the tree dropped for removal (get vol)', async () => {
    const { repo } = await setUp(false, ['old', 'pg']);
    const plan = await walbctl(repo.dir, 'plan', '--host', 'ar-1');
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/# ar-1\/old \(destroys data\)\n\s+- clear role=archive diffs=1 restorable=2 walbc="clear-vol old" {3}# destroys data\n\s+# \(because the volume was removed from the repository/);
  }, 240_000);
});
