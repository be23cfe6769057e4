import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { loadDesiredState, loadDesiredStateSync } from '../../../reconciler/desired/load.js';
import { projectRoot } from '../../helpers/cli.js';
import { generateFleet } from '../../../bench/desired/generate-fleet.js';
import { hostFile, writeTree } from './tree-fixture.js';

describe('loadDesiredState', () => {
  it('normalises units, paths and defaults', async () => {
    const { state, diagnostics } = await loadDesiredState(join(projectRoot, 'examples/valid/four-hosts'));
    expect(diagnostics).toEqual([]);
    const www = state!.hosts['db-1'].volumes.www;
    expect(www.device).toEqual({ path: '/dev/vg0/www', kind: 'block', sizeBytes: 1_500_000_000_000 });
    expect(www.snapshots.schedule).toEqual({ kind: 'cron', cron: '0 */6 * * *' });
    expect(www.replication[0]).toEqual({ from: 'ar-1', to: 'ar-2', mode: 'async', schedule: { kind: 'every', everySeconds: 3600 }, compression: 'zstd', bandwidthLimitBytes: 104_857_600 });
    expect(www.restores[0].path).toBe('/var/lib/walbctl/restores/www-daily.img');
    expect(www.address).toBe('db-1/www');
    expect(state!.hosts['px-1'].daemon).toEqual({ intervalSeconds: 60, listen: '127.0.0.1:9469' });
  });

  it('returns no state, and every problem, when the tree has errors', async () => {
    const root = writeTree({ 'hosts/h1.yaml': hostFile('h1', '    captrue: scan\n').replace('size: 1GiB', 'size: 1 gigabyte') });
    const { state, diagnostics } = await loadDesiredState(root);
    expect(state).toBeNull();
    expect(diagnostics.map((d) => d.path)).toEqual(['volumes.v1.device.size', 'volumes.v1.captrue']);
  });

  it('with host keeps that host and every host of the volumes it takes part in (its wire peers, replication ends included)', async () => {
    const dir = join(projectRoot, 'examples/valid/four-hosts');
    expect(Object.keys((await loadDesiredState(dir, { host: 'ar-2' })).state!.hosts).sort()).toEqual(['ar-1', 'ar-2', 'db-1', 'px-1']);
    expect(Object.keys((await loadDesiredState(dir, { host: 'db-1' })).state!.hosts).sort()).toEqual(['ar-1', 'ar-2', 'db-1', 'px-1']);
    expect((await loadDesiredState(dir, { host: 'nope' })).diagnostics[0].message).toMatch(/no host "nope"/);
  });

  it('gives the same result spread over worker threads as on one thread', async () => {
    const dir = writeTree({});
    generateFleet(dir, { hosts: 60, volumes: 300 });
    const one = loadDesiredStateSync(dir);
    const three = await loadDesiredState(dir, { threads: 3 });
    expect(one.diagnostics).toEqual([]);
    expect(three).toEqual(one);
  });

  it('locates a fleet-wide problem found in a worker thread\'s share', async () => {
    const dir = writeTree({});
    generateFleet(dir, { hosts: 30, volumes: 60, shape: 'inline' });
    const { writeFileSync, readFileSync } = await import('node:fs');
    const file = join(dir, 'hosts/db-20.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/proxies: \[px-0\]/, 'proxies: [px-9]'));
    const one = loadDesiredStateSync(dir);
    const three = await loadDesiredState(dir, { threads: 3 });
    expect(one.diagnostics).toHaveLength(1);
    expect(one.diagnostics[0]).toMatchObject({ file: 'hosts/db-20.yaml', message: 'no host "px-9" (no hosts/px-9.yaml)' });
    expect(three.diagnostics).toEqual(one.diagnostics);
  });
});

describe('a host file that does not parse', () => {
  it('is reported once, not again as a missing host wherever it is named', async () => {
    const root = writeTree({ 'hosts/h1.yaml': hostFile('h1').replace('archives: [h1]', 'archives: [h2]'), 'hosts/h2.yaml': 'host: h2\nroles: [archive\n' });
    const { diagnostics } = await loadDesiredState(root);
    expect(diagnostics.map((d) => d.file)).toEqual(['hosts/h2.yaml']);
  });
});

describe('threadsFor', () => {
  it('keeps a small tree on one thread', async () => {
    const { threadsFor, PARALLEL_MIN_HOSTS } = await import('../../../reconciler/desired/parallel.js');
    expect(threadsFor(PARALLEL_MIN_HOSTS - 1)).toBe(1);
    expect(threadsFor(10_000)).toBeGreaterThanOrEqual(1);
    expect(threadsFor(10_000)).toBeLessThanOrEqual(4);
  });
});

describe('a file that cannot be read', () => {
  it('is one problem of that file, not a crash', async () => {
    const { symlinkSync } = await import('node:fs');
    const root = writeTree({ 'hosts/h1.yaml': hostFile('h1') });
    symlinkSync(join(root, 'nowhere.yaml'), join(root, 'hosts/h2.yaml'));
    const { diagnostics } = await loadDesiredState(root);
    expect(diagnostics.map((d) => `${d.file}: ${d.message}`)).toEqual(['hosts/h2.yaml: cannot read the file (ENOENT)']);
  });
});
