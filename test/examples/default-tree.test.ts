import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import type { DesiredState } from '../../reconciler/model/desired.js';
import { projectRoot, walbctl, walbctlProcess } from '../helpers/cli.js';

describe('the embedded default (hosts/local.yaml)', () => {
  it('validates as the Quick start runs it, from the checkout as a real process', () => {
    const r = walbctlProcess(['validate'], { cwd: projectRoot });
    expect(r.stdout).toBe('valid: 1 host, 1 volume\n');
    expect(r.code).toBe(0);
  });

  it('is host local with all three roles, the native driver and its data inside the checkout', async () => {
    const r = await walbctl(['show', 'desired', '--json'], { cwd: projectRoot });
    const state = JSON.parse(r.stdout) as DesiredState;
    const local = state.hosts.local;
    expect(Object.keys(state.hosts)).toEqual(['local']);
    expect(local.roles).toEqual(['storage', 'proxy', 'archive']);
    expect(local.driver).toBe('native');
    expect(local.dataDir).toBe(join(projectRoot, 'data'));
    expect(local.daemon.listen).toBe('127.0.0.1:9469');
  });

  it('has one small file-backed volume demo that a newcomer sees snapshotted within a minute', async () => {
    const r = await walbctl(['show', 'desired', '--json'], { cwd: projectRoot });
    const demo = (JSON.parse(r.stdout) as DesiredState).hosts.local.volumes.demo;
    expect(demo.device.kind).toBe('file');
    expect(demo.device.path.startsWith(join(projectRoot, 'data') + '/')).toBe(true);
    expect(demo.device.sizeBytes).toBeLessThanOrEqual(256 * 1024 * 1024);
    expect(demo.capture).toBe('scan');
    expect(demo.proxies).toEqual(['local']);
    expect(demo.archives).toEqual([{ host: 'local', primary: true }]);
    expect(demo.snapshots.schedule).toMatchObject({ kind: 'every' });
    expect((demo.snapshots.schedule as { everySeconds: number }).everySeconds).toBeLessThanOrEqual(60);
    expect(demo.apply).not.toBeNull();
    expect(demo.restores[0]).toMatchObject({ pick: 'newest', verify: true });
    expect(demo.restores[0].path.startsWith(join(projectRoot, 'data') + '/')).toBe(true);
  });

  it('is explained value by value, as the Quick start shows', async () => {
    const r = await walbctl(['explain', 'local/demo'], { cwd: projectRoot });
    expect(r.stdout).toMatch(/^local\/demo\n/);
    expect(r.stdout).toMatch(/^ {2}snapshots\.every +30s +hosts\/local\.yaml:\d+:\d+$/m);
    expect(r.code).toBe(0);
  });
});
