/**
 * walbctl apply, unlock and show observed as real processes on a real tree and the native driver.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { walbctlProcess } from '../helpers/cli.js';
import { hostYaml, makeRepo } from './daemon-harness.js';

function tree(volumes = [{ name: 'demo', every: '1h' }]) {
  const repo = makeRepo();
  repo.commit('tree', { 'hosts/local.yaml': hostYaml(19_000, volumes) });
  const run = (...args: string[]) => walbctlProcess(args, { cwd: repo.dir });
  return { repo, run };
}

describe('walbctl apply', () => {
  it('plans and applies a host, then has nothing left to do but what the schedule says', () => {
    const { repo, run } = tree();
    const first = run('apply', '--host', 'local');
    // The host's first apply by hand makes its data directory, and says so (issue 17.8); nothing else.
    expect(first.stderr).toMatch(/^created the data directory \S+ \(the host's first init\)\n$/);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^  \+ local\/demo init \(archive\): done/m);
    expect(first.stdout).toMatch(/^  > local\/demo full-backup: done/m);
    expect(first.stdout).toMatch(/^Apply complete: 3 done, 0 failed, 0 blocked, 0 refused, 0 skipped\.$/m);
    const observed = JSON.parse(run('show', 'observed', '--host', 'local', '--json').stdout);
    expect(observed.volumes.demo.storage.state).toBe('Target');
    expect(observed.volumes.demo.archive.state).toBe('Archived');
    expect(observed.lastApplied.revision).toMatch(/^main@sha1:[0-9a-f]{40}$/);
    expect(existsSync(join(repo.dir, 'data/reconciler/lock.json'))).toBe(false);
    const json = JSON.parse(run('apply', '--host', 'local', '--json').stdout);
    expect(json).toMatchObject({ host: 'local', result: 'ok', resumed: false });
  });

  it('applies a saved plan exactly, and refuses it as stale once the live state or the revision moved', () => {
    const { repo, run } = tree();
    expect(run('plan', '--host', 'local', '--out', 'plan.json').code).toBe(0);
    const applied = run('apply', '--host', 'local', 'plan.json', '--json');
    expect(applied.code).toBe(0);
    expect(JSON.parse(applied.stdout).actions.map((a: { kind: string }) => a.kind)).toEqual(['init', 'init', 'full-backup']);

    // The same plan again: the live state moved (the volume exists now).
    const stale = run('apply', '--host', 'local', 'plan.json');
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/^walbctl: error: Saved plan is stale: the live state changed since the plan was made/);

    expect(run('plan', '--host', 'local', '--out', 'plan2.json').code).toBe(0);
    repo.commit('another revision', { 'README.txt': 'x\n' });
    const moved = run('apply', '--host', 'local', 'plan2.json');
    expect(moved.code).toBe(1);
    expect(moved.stderr).toContain('Saved plan is stale: the plan was made at revision main@sha1:');
  });

  it('runs destructive actions only with --allow-destroy', () => {
    const { repo, run } = tree([{ name: 'demo', every: '1h' }, { name: 'old', every: '1h' }]);
    expect(run('apply', '--host', 'local').code).toBe(0);
    repo.commit('remove old', { 'hosts/local.yaml': hostYaml(19_000, [{ name: 'demo', every: '1h' }]) });
    const refused = run('apply', '--host', 'local');
    expect(refused.code).toBe(3);
    expect(refused.stdout).toMatch(/^  - local\/old clear \(storage\): refused: destroys data: runs only with --allow-destroy$/m);
    expect(refused.stdout).toContain('rerun with --allow-destroy');
    expect(existsSync(join(repo.dir, 'data/archive/old'))).toBe(true);
    const allowed = run('apply', '--host', 'local', '--allow-destroy');
    expect(allowed.code).toBe(0);
    expect(existsSync(join(repo.dir, 'data/archive/old'))).toBe(false);
    expect(existsSync(join(repo.dir, 'data/storage/old'))).toBe(false);
  });
});

describe('walbctl unlock', () => {
  it('removes the lock a holder left, after apply named it', () => {
    const { repo, run } = tree();
    mkdirSync(join(repo.dir, 'data/reconciler'), { recursive: true });
    const id = '0b5e7a62-1c1f-4c2e-9d8f-2f6a4e0c1d11';
    // A live holder on this machine: this test process.
    writeFileSync(join(repo.dir, 'data/reconciler/lock.json'), JSON.stringify({ id, operation: 'apply', who: 'someone@here', pid: process.pid, machine: hostname(), since: '2026-11-21T10:00:00.000Z' }));
    const locked = run('apply', '--host', 'local');
    expect(locked.code).toBe(1);
    expect(locked.stderr).toContain(`host local is locked: ID ${id}, operation "apply", held by someone@here (pid ${process.pid}) since 2026-11-21T10:00:00.000Z`);
    expect(locked.stderr).toContain(`walbctl unlock ${id}`);

    const wrong = run('unlock', '1b4e28ba-2fa1-11d2-883f-0016d3cca427');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(`does not hold the lock: ID ${id}`);
    const unlocked = run('unlock', id);
    expect(unlocked.code).toBe(0);
    expect(unlocked.stdout).toContain(`Unlocked local: removed lock ${id}`);
    expect(run('apply', '--host', 'local').code).toBe(0);
  });
});

describe('walbctl show observed', () => {
  it('prints JSON that walbctl plan takes as --observed', () => {
    const { repo, run } = tree();
    run('apply', '--host', 'local');
    const json = run('show', 'observed', '--host', 'local', '--json');
    writeFileSync(join(repo.dir, 'observed.json'), json.stdout);
    const plan = run('plan', '--host', 'local', '--observed', 'observed.json');
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(0);
    const text = run('show', 'observed', '--host', 'local');
    expect(text.stdout).toMatch(/^    storage  Target, capture scan, 4194304 bytes at .*demo\.img, latest gid 1$/m);
    expect(text.stdout).toMatch(/^    archive  Archived, base <0,1>, 0 diff\(s\) 0 bytes$/m);
  });
});
