import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import { projectRoot, walbctl } from '../../helpers/cli.js';

const local = readFileSync(join(projectRoot, 'hosts/local.yaml'), 'utf8');
const web = `  web:
    device:
      path: volumes/web.img
      size: 32MiB
    capture: scan
    proxies: []
    archives: [backup]
    snapshots:
      every: 1h
    retention:
      keepLast: 3
    merge:
      interval: 10m
      maxNr: 10
      maxSize: 256MiB
`;

let repo: string;
const revs: Record<string, string> = {};

function commit(name: string, yaml: string): void {
  writeFileSync(join(repo, 'fleet', 'hosts', 'local.yaml'), yaml);
  execFileSync('git', ['add', '-A'], { cwd: repo });
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', name], { cwd: repo });
  revs[name] = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo }).toString().trim();
}

beforeAll(() => {
  repo = mkdtempSync(join(tmpdir(), 'walbctl-diff-repo-'));
  mkdirSync(join(repo, 'fleet', 'hosts'), { recursive: true });
  // local's archive is host backup (the embedded default's two hosts): the tree needs both files.
  copyFileSync(join(projectRoot, 'hosts/backup.yaml'), join(repo, 'fleet', 'hosts', 'backup.yaml'));
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: repo });
  commit('protected', local.replace('protect: false', 'protect: true'));
  commit('changed', local.replace(/keepLast: \d+/, 'keepLast: 5') + web);
  commit('removed', local.replace(/\n {2}demo:\n[\s\S]*$/, '\n') .replace(/volumes:\n$/, 'volumes:\n') + web);
  commit('invalid', local.replace(/keepLast: \d+/, 'keepLast: ten'));
  return () => rmSync(repo, { recursive: true, force: true });
});

const diff = (from: string, to: string, ...more: string[]) => walbctl(['diff', '--from', revs[from] ?? from, '--to', revs[to] ?? to, join(repo, 'fleet'), ...more]);

describe('walbctl diff', () => {
  it('shows changed fields per volume and calls out lifted protection and retention changes', async () => {
    const r = await diff('protected', 'changed');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`walbctl diff ${revs.protected}@sha1:${revs.protected} → ${revs.changed}@sha1:${revs.changed}`);
    expect(r.stdout).toMatch(/^ {2}~ host local$/m);
    expect(r.stdout).toMatch(/^ {4}~ local\/demo$/m);
    expect(r.stdout).toMatch(/^ {8}~ retention\.keepLast: \d+ → 5$/m);
    expect(r.stdout).toMatch(/^ {8}~ protect: true → false$/m);
    expect(r.stdout).toMatch(/^ {8}! destructive: protect removed: destructive actions on this volume become possible$/m);
    expect(r.stdout).toMatch(/^ {8}! destructive: retention changed/m);
    expect(r.stdout).toMatch(/^ {4}\+ local\/web \(new volume\)$/m);
    expect(r.stdout).toMatch(/^Diff: 1 host changed; volumes: 1 added, 1 changed, 0 removed; 1 with destructive changes\.$/m);
  });

  it('calls out a removed volume as destructive, in JSON too', async () => {
    const r = await diff('changed', 'removed', '--json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.format_version).toBe('1.0');
    expect(json.hosts[0].volumes).toEqual([
      { address: 'local/demo', change: 'removed', fields: [], destructive: ['removed from the tree: its storage and archive data will be cleared'] },
    ]);
    expect(json.summary).toMatchObject({ removed: 1, destructive: 1 });
  });

  it('exits 0 on no changes and 2 on changes with --detailed-exitcode', async () => {
    const same = await diff('changed', 'changed', '--detailed-exitcode');
    expect(same.code).toBe(0);
    expect(same.stdout).toMatch(/^No changes to the desired state\.$/m);
    expect((await diff('protected', 'removed', '--detailed-exitcode')).code).toBe(2);
  });

  it('names a revision that does not exist', async () => {
    const r = await diff('no-such-branch', 'changed');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^walbctl: error: .*git rev-parse failed to resolve "no-such-branch"/);
  });

  it('refuses a revision whose tree does not validate, naming the revision and the field', async () => {
    const r = await diff('changed', 'invalid');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`at ${revs.invalid}@sha1:${revs.invalid}: the desired state does not validate`);
    expect(r.stderr).toMatch(/hosts\/local\.yaml:\d+:\d+: error: .*keepLast/);
  });

  it('requires both revisions', async () => {
    const r = await walbctl(['diff', '--from', 'HEAD']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--from REV and --to REV are both required/);
  });
});
