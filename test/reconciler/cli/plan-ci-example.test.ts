/**
 * The CI example is a test: examples/ci/observed plans against the checkout's own tree, the script
 * runs end to end on a real git history, and the workflow file parses and calls the script.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { binPath, projectRoot, walbctlProcess } from '../../helpers/cli.js';

describe('examples/ci', () => {
  it('plans the checkout\'s hosts/ from examples/ci/observed, the same on every run', () => {
    const args = ['plan', '.', '--all-hosts', '--observed-dir', 'examples/ci/observed', '--json'];
    const a = walbctlProcess(args);
    expect(a.stderr).toBe('');
    expect(a.code).toBe(0);
    const json = JSON.parse(a.stdout);
    expect(json.hosts.map((h: { host: string; applyable: boolean }) => [h.host, h.applyable])).toEqual([['backup', true], ['local', true]]);
    expect(json.hosts[1].created_at).toBe('2026-11-21T12:00:00Z');
    expect(walbctlProcess(args).stdout).toBe(a.stdout);
  });

  it('runs plan-and-diff.sh on a real git history and reports a destructive commit', () => {
    const repo = mkdtempSync(join(tmpdir(), 'walbctl-ci-'));
    cpSync(join(projectRoot, 'hosts'), join(repo, 'hosts'), { recursive: true });
    cpSync(join(projectRoot, 'examples/ci'), join(repo, 'examples/ci'), { recursive: true });
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: repo });
    git('init', '-q', '-b', 'main');
    git('add', '-A');
    git('commit', '-q', '-m', 'one');
    const yaml = readFileSync(join(repo, 'hosts/local.yaml'), 'utf8');
    execFileSync('sed', ['-i', 's/keepLast: [0-9]*/keepLast: 7/', join(repo, 'hosts/local.yaml')]);
    expect(readFileSync(join(repo, 'hosts/local.yaml'), 'utf8')).not.toBe(yaml);
    git('commit', '-q', '-am', 'two');
    const r = spawnSync('bash', ['examples/ci/plan-and-diff.sh', '.', 'examples/ci/observed', 'HEAD~1', 'HEAD'], {
      cwd: repo, encoding: 'utf8', env: { ...process.env, WALBCTL: `${process.execPath} ${binPath}` },
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^plan: (changes pending|every host matches)/m);
    expect(r.stdout).toMatch(/^ {8}~ retention\.keepLast: \d+ → 7$/m);
    expect(r.stdout).toMatch(/^::warning::this commit makes destructive changes/m);
  });

  it('has a GitHub workflow that parses and runs the script with full history', () => {
    const wf = parse(readFileSync(join(projectRoot, 'examples/ci/github-actions.yml'), 'utf8'));
    const steps = wf.jobs.plan.steps as { with?: { 'fetch-depth'?: number }; run?: string }[];
    expect(steps[0]!.with!['fetch-depth']).toBe(0);
    expect(steps.some((s) => s.run?.includes('examples/ci/plan-and-diff.sh'))).toBe(true);
  });
});
