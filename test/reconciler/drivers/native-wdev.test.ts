/**
 * The native driver with `capture: wdev`: the volume is a served user-space WalB device; every write
 * is logged, snapshots ship the logs to the archive. Needs root, /dev/fuse and the built walbctl-wdev.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, writeSync, fsyncSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { stopWdev, wdevPaths } from '../../../native/lib/wdev/index.js';
import { runDriverAction, type ActionContext } from '../../../reconciler/drivers/driver.js';
import { createNativeDriver } from '../../../reconciler/drivers/native/index.js';
import { wdevSkipReason } from '../../native/wdev/fixture.js';
import { action, desiredFor, volume } from '../apply/fake-driver.js';

const skip = wdevSkipReason();
const started: { dataDir: string; vol: string }[] = [];
afterAll(async () => {
  for (const s of started) await stopWdev(s.dataDir, s.vol, { force: true }).catch(() => {});
});

describe.skipIf(skip !== null)(`the native driver with capture wdev${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('creates and serves the wdev, backs it up, ships written data at a snapshot, and restores it', { timeout: 120_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'walbctl-native-wdev-'));
    const { desired, host } = desiredFor(dataDir, [volume('w', { capture: 'wdev', device: { path: join(dataDir, 'unused.img'), kind: 'file', sizeBytes: 8 << 20 } })]);
    const driver = createNativeDriver();
    const ctx: ActionContext = { host, volume: host.volumes.w, volumeName: 'w', desired, planCreatedAt: new Date().toISOString() };
    const run = (id: string, params: PlanParams = {}) => runDriverAction(driver, action(id, { params }), ctx);
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
});

type PlanParams = Record<string, string | number | boolean | null | number[]>;
