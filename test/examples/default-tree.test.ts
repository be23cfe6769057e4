import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import type { DesiredState } from '../../reconciler/model/desired.js';
import { projectRoot, walbctl, walbctlProcess } from '../helpers/cli.js';

describe('the embedded default (hosts/local.yaml, hosts/backup.yaml)', () => {
  it('validates as the Quick start runs it, from the checkout as a real process', () => {
    const r = walbctlProcess(['validate'], { cwd: projectRoot });
    expect(r.stdout).toBe('valid: 2 hosts, 1 volume\n');
    expect(r.code).toBe(0);
  });

  it('is host local (storage) and host backup (archive) on two loopback addresses, the native driver, their data inside the checkout', async () => {
    const r = await walbctl(['show', 'desired', '--json'], { cwd: projectRoot });
    const state = JSON.parse(r.stdout) as DesiredState;
    const { local, backup } = state.hosts;
    expect(Object.keys(state.hosts).sort()).toEqual(['backup', 'local']);
    expect(local.roles).toEqual(['storage']);
    expect(backup.roles).toEqual(['archive']);
    expect([local.driver, backup.driver]).toEqual(['native', 'native']);
    expect(local.dataDir).toBe(join(projectRoot, 'data', 'local'));
    expect(backup.dataDir).toBe(join(projectRoot, 'data', 'backup'));
    expect(local.daemon.listen).toBe('127.0.0.1:9469');
    expect(backup.address).toBe('127.0.0.2');
    expect(backup.roleSettings?.archive?.listen).toBe('127.0.0.2:9471');
    // Certificates at the default paths in each data directory (made on first start), never in the tree.
    expect(local.wire?.tls.key).toBe(join(projectRoot, 'data', 'local', 'tls', 'local.key'));
    expect(backup.wire?.insecure).toBe(false);
  });

  it('has one small file-backed volume demo that a newcomer sees snapshotted within a minute', async () => {
    const r = await walbctl(['show', 'desired', '--json'], { cwd: projectRoot });
    const demo = (JSON.parse(r.stdout) as DesiredState).hosts.local.volumes.demo;
    expect(demo.device.kind).toBe('file');
    expect(demo.device.path.startsWith(join(projectRoot, 'data', 'local') + '/')).toBe(true);
    expect(demo.device.sizeBytes).toBeLessThanOrEqual(256 * 1024 * 1024);
    expect(demo.capture).toBe('scan');
    expect(demo.proxies).toEqual([]);
    expect(demo.archives).toEqual([{ host: 'backup', primary: true }]);
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
