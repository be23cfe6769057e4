/**
 * `walbctl vol …` and `walbctl archive …` end to end: WalB's text forms, --json, --help, one-line
 * errors with exit 1, the data directory from a host file.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { walbctl } from '../../helpers/cli.js';
import { writeAt } from './_workload.js';

describe('walbctl vol and walbctl archive', () => {
  const dir = mkdtempSync(join(tmpdir(), 'walbctl-archive-cli-'));
  const dd = ['--data-dir', join(dir, 'data')];
  const device = join(dir, 'v.img');

  beforeAll(async () => {
    expect((await walbctl(['vol', 'init', 'v', '--device', device, '--size', '1MiB', ...dd])).code).toBe(0);
    expect((await walbctl(['archive', 'init', 'v', ...dd])).code).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a snapshot before the full backup with one line naming the state', async () => {
    const r = await walbctl(['vol', 'snapshot', 'v', ...dd]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('walbctl: error: v: cannot snapshot in state SyncReady (allowed in: Target)\n');
  });

  it('backs up, snapshots and lists diffs in WalB’s text form', async () => {
    writeAt(device, 0, Buffer.alloc(8192, 1));
    const full = await walbctl(['vol', 'full-backup', 'v', ...dd]);
    expect(full.code).toBe(0);
    expect(full.stdout).toMatch(/^v: base \|0,1\|, 65536 bytes of data: 1\.0 MiB in [\d.]+ s \(.+\/s\)\n$/);
    writeAt(device, 100_000, Buffer.alloc(5000, 2));
    expect((await walbctl(['vol', 'snapshot', 'v', ...dd])).code).toBe(0);
    writeAt(device, 300_000, Buffer.alloc(5000, 3));
    expect((await walbctl(['vol', 'snapshot', 'v', '--implicit', ...dd])).code).toBe(0);
    writeAt(device, 500_000, Buffer.alloc(5000, 4));
    expect((await walbctl(['vol', 'snapshot', 'v', ...dd])).code).toBe(0);
    const diff = await walbctl(['archive', 'get', 'diff', 'v', ...dd]);
    const lines = diff.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^\|0,1\|-->\|2\| M- \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d \d+$/);
    expect(lines[1]).toMatch(/^\|2\|-->\|3\| -- /);
    expect(lines[2]).toMatch(/^\|3\|-->\|4\| M- /);
    const restorable = await walbctl(['archive', 'get', 'restorable', 'v', ...dd]);
    expect(restorable.stdout.trim().split('\n').map((l) => l.split(' ')[0] + ' ' + l.split(' ')[2])).toEqual(['2 explicit', '3 implicit', '4 explicit']);
    expect((await walbctl(['archive', 'get', 'base', 'v', ...dd])).stdout).toBe('<0,1>\n');
  });

  it('prints the ObservedArchive with --json', async () => {
    const r = await walbctl(['archive', 'state', 'v', '--json', ...dd]);
    const a = JSON.parse(r.stdout) as { state: string; diffs: unknown[]; restorable: { gid: number }[] };
    expect(a.state).toBe('Archived');
    expect(a.diffs).toHaveLength(3);
    expect(a.restorable.map((x) => x.gid)).toEqual([2, 3, 4]);
  });

  it('names the restorable gids when asked for one that is not', async () => {
    const r = await walbctl(['archive', 'restore', 'v', '9', ...dd]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('walbctl: error: v: gid 9 is not restorable; restorable gids: 2, 3, 4\n');
  });

  it('refuses a merge across an explicit snapshot and an apply past the newest gid, in one line each', async () => {
    const merge = await walbctl(['archive', 'merge', 'v', '0', '3', ...dd]);
    expect(merge.code).toBe(1);
    expect(merge.stderr).toBe('walbctl: error: v: cannot merge |0,1|-->|3|: gid 2 is an explicit snapshot; nothing was changed\n');
    expect((await walbctl(['archive', 'get', 'diff', 'v', ...dd])).stdout.trim().split('\n')).toHaveLength(3);
    const apply = await walbctl(['archive', 'apply', 'v', '7', ...dd]);
    expect(apply.code).toBe(1);
    expect(apply.stderr).toBe('walbctl: error: v: cannot apply past the newest gid 4 (asked for 7)\n');
  });

  it('restores, lists and deletes a restored image', async () => {
    const path = join(dir, 'r3.img');
    const r = await walbctl(['archive', 'restore', 'v', '3', '--path', path, ...dd]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^v: restored gid 3 to .*r3\.img \((copy|reflink), 2 diff\(s\)\): /);
    expect((await walbctl(['archive', 'get', 'restored', 'v', ...dd])).stdout).toMatch(/^3 .*r3\.img \d{4}-/);
    expect((await walbctl(['archive', 'del-restored', 'v', '3', ...dd])).stdout).toMatch(/deleted restored gid 3/);
    expect((await walbctl(['archive', 'get', 'restored', 'v', ...dd])).stdout).toBe('');
  });

  it('merges across an implicit snapshot, applies and verifies', async () => {
    const merge = await walbctl(['archive', 'merge', 'v', '2', '4', ...dd]);
    expect(merge.stdout).toMatch(/^v: merged 2 diffs into \d{14}----2-4\.wdiff /);
    expect((await walbctl(['archive', 'get', 'restorable', 'v', ...dd])).stdout.trim().split('\n').map((l) => l.split(' ')[0])).toEqual(['2', '4']);
    const apply = await walbctl(['archive', 'apply', 'v', '4', ...dd]);
    expect(apply.stdout).toMatch(/^v: applied 2 diff\(s\); base is <4>: /);
    const verify = await walbctl(['archive', 'verify', 'v', ...dd]);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/^v: ok, 0 diff\(s\) checked/);
  });

  it('takes the data directory from a host file, relative to the tree', async () => {
    const tree = join(dir, 'tree');
    mkdirSync(join(tree, 'hosts'), { recursive: true });
    writeFileSync(join(tree, 'hosts', 'h.yaml'), 'host: h\ndataDir: ../data\n');
    const r = await walbctl(['vol', 'state', 'v', '--host-file', join(tree, 'hosts', 'h.yaml')]);
    expect(r.stdout).toMatch(/^v: Target \(scan\) uuid [0-9a-f]{32}, /);
    const byName = await walbctl(['archive', 'state', 'v', '--host', 'h'], { cwd: tree });
    expect(byName.stdout).toMatch(/^v: Archived base <4>, 0 diff\(s\), 1 restorable/);
  });

  it.each(['vol init', 'vol full-backup', 'vol snapshot', 'vol hash-backup', 'vol state', 'archive restore', 'archive merge', 'archive apply', 'archive verify', 'archive get'])(
    'prints help for %s',
    async (cmd) => {
      const r = await walbctl([...cmd.split(' '), '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: walbctl ${cmd} `));
      expect(r.stdout).toContain('--json');
    },
  );
});
