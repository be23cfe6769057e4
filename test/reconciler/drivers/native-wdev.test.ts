/**
 * The native driver with `capture: wdev`: the volume is a served user-space WalB device; every write
 * is logged, snapshots ship the logs to the archive. Needs root, /dev/fuse and the built walbctl-wdev.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, lstatSync, mkdtempSync, openSync, readFileSync, readlinkSync, writeFileSync, writeSync, fsyncSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { restore } from '../../../native/lib/archive/index.js';
import { stopWdev, wdevPaths } from '../../../native/lib/wdev/index.js';
import { runDriverAction, type ActionContext } from '../../../reconciler/drivers/driver.js';
import { createNativeDriver } from '../../../reconciler/drivers/native/index.js';
import { wdevSkipReason } from '../../native/wdev/fixture.js';
import type { PlanAction } from '../../../reconciler/model/plan.js';
import { action, desiredFor, volume } from '../apply/fake-driver.js';

const skip = wdevSkipReason();
const started: { dataDir: string; vol: string }[] = [];
afterAll(async () => {
  for (const s of started) await stopWdev(s.dataDir, s.vol, { force: true }).catch(() => {});
});

describe.skipIf(skip !== null)(`the native driver with capture wdev${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('creates and serves the wdev, backs it up, ships written data at a snapshot, and restores it', { timeout: 120_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'walbctl-native-wdev-'));
    const { desired, host } = desiredFor(dataDir, [volume('w', { capture: 'wdev', device: { path: join(dataDir, 'w.img'), kind: 'file', sizeBytes: 8 << 20 } })]);
    const driver = createNativeDriver();
    const ctx: ActionContext = { host, volume: host.volumes.w, volumeName: 'w', desired, planCreatedAt: new Date().toISOString() };
    const run = (id: string, params: PlanAction['params'] = {}) => runDriverAction(driver, action(id, { params }), ctx);
    started.push({ dataDir, vol: 'w' });

    await run('local/w:init', { role: 'archive' });
    expect(await run('local/w:init', { role: 'storage', capture: 'wdev', sizeBytes: 8 << 20 })).toMatchObject({ sizeBytes: 8 << 20 });
    expect(await run('local/w:init', { role: 'storage', capture: 'wdev', sizeBytes: 8 << 20 })).toMatchObject({ already: true });
    const observed = await driver.storage.observe({ host, name: 'w', volume: host.volumes.w });
    expect(observed).toMatchObject({ capture: 'wdev', state: 'SyncReady', sizeBytes: 8 << 20 });
    expect(observed?.log).toBeDefined();

    expect(await run('local/w:full-backup', { archive: 'local' })).toMatchObject({ kind: 'full' });
    expect(await run('local/w:full-backup', { archive: 'local' })).toMatchObject({ already: true });

    const file = wdevPaths(dataDir, 'w').file;
    const fd = openSync(file, 'r+');
    writeSync(fd, randomBytes(65536), 0, 65536, 1 << 20);
    fsyncSync(fd);
    closeSync(fd);
    const snap = (await run('local/w:snapshot')) as { gid: number };
    expect(snap.gid).toBeGreaterThan(0);
    const target = join(dataDir, 'restored.img');
    await run('local/w:restore', { gid: snap.gid, path: target });
    expect(readFileSync(target).equals(readFileSync(file))).toBe(true);
    expect(await run('local/w:verify-restore', { gid: snap.gid, path: target })).toMatchObject({ ok: true });

    expect(await run('local/w:stop', { role: 'storage' })).toMatchObject({ stopped: true });
    expect((await driver.storage.observe({ host, name: 'w', volume: host.volumes.w }))?.state).toBe('Stopped');
    expect(await run('local/w:start', { role: 'storage' })).toMatchObject({ served: true });
  });

  it('puts the declared device.path under capture with its data, logs to the declared wdev.ring, and backs the data up in full first', { timeout: 120_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'walbctl-native-wdev-'));
    const device = join(dataDir, 'disk.img');
    const ring = join(dataDir, 'disk.ring');
    const data = randomBytes(8 << 20);
    writeFileSync(device, data);
    const { desired, host } = desiredFor(dataDir, [volume('d', { capture: 'wdev', wdev: { ring }, device: { path: device, kind: 'file', sizeBytes: 8 << 20 } })]);
    const driver = createNativeDriver();
    const ctx: ActionContext = { host, volume: host.volumes.d, volumeName: 'd', desired, planCreatedAt: new Date().toISOString() };
    const run = (id: string, params: PlanAction['params'] = {}) => runDriverAction(driver, action(id, { params }), ctx);
    started.push({ dataDir, vol: 'd' });

    await run('local/d:init', { role: 'archive' });
    expect(await run('local/d:init', { role: 'storage', capture: 'wdev', device, ring, sizeBytes: 8 << 20 })).toMatchObject({ ddev: device, ldev: ring });
    const p = wdevPaths(dataDir, 'd');
    expect(readlinkSync(p.ddev)).toBe(device);
    expect(lstatSync(p.ldev).isSymbolicLink()).toBe(true);
    expect(readFileSync(p.file).equals(data)).toBe(true);
    const full = (await run('local/d:full-backup', { archive: 'local' })) as { kind: string; gid: number };
    expect(full.kind).toBe('full');
    const target = join(dataDir, 'base.img');
    await restore(dataDir, 'd', full.gid, { path: target });
    expect(readFileSync(target).equals(data)).toBe(true);
    await run('local/d:stop', { role: 'storage' });
  });
});
