/**
 * The native driver on real files: every action against the embedded storage and archive, each one
 * run twice to show it is idempotent (the executor re-runs an action a crash interrupted).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, readFileSync, writeSync, closeSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { runDriverAction, type ActionContext } from '../../../reconciler/drivers/driver.js';
import { DriverUnavailableError } from '../../../reconciler/drivers/errors.js';
import { createNativeDriver } from '../../../reconciler/drivers/native/index.js';
import type { PlanAction } from '../../../reconciler/model/plan.js';
import { action, desiredFor, volume } from '../apply/fake-driver.js';

function setup() {
  const dataDir = mkdtempSync(join(tmpdir(), 'walbctl-native-'));
  const image = join(dataDir, 'volumes/demo.img');
  const { desired, host } = desiredFor(dataDir, [volume('demo', { device: { path: image, kind: 'file', sizeBytes: 1 << 20 } })]);
  const driver = createNativeDriver();
  let planCreatedAt = '2000-01-01T00:00:00.000Z';
  const run = (a: PlanAction) => {
    const ctx: ActionContext = { host, volume: host.volumes.demo, volumeName: 'demo', desired, planCreatedAt };
    return runDriverAction(driver, a, ctx);
  };
  const observe = () => driver.archive.observe({ host, name: 'demo', volume: host.volumes.demo });
  const write = (offset: number, bytes: number) => {
    const fd = openSync(image, 'r+');
    writeSync(fd, randomBytes(bytes), 0, bytes, offset);
    closeSync(fd);
  };
  return { dataDir, image, driver, host, run, observe, write, setPlanTime: (t: string) => void (planCreatedAt = t) };
}

const init = (role: string) => action('local/demo:init', { params: { role } });

describe('the native driver', () => {
  it('initialises, backs up and snapshots a volume, each action harmless when run again', async () => {
    const t = setup();
    expect(await t.run(init('archive'))).toHaveProperty('uuid');
    expect(await t.run(init('archive'))).toMatchObject({ already: true });
    expect(await t.run(init('storage'))).toMatchObject({ sizeBytes: 1 << 20 });
    expect(await t.run(init('storage'))).toMatchObject({ already: true });
    t.write(0, 8192);
    expect(await t.run(action('local/demo:full-backup', { params: { archive: 'local' } }))).toMatchObject({ snap: '|0,1|' });
    expect(await t.run(action('local/demo:full-backup', { params: { archive: 'local' } }))).toMatchObject({ already: true });
    expect(await t.driver.listVolumes(t.host)).toEqual(['demo']);

    t.write(65536, 4096);
    t.setPlanTime(new Date(Date.now() - 5000).toISOString());
    expect(await t.run(action('local/demo:snapshot'))).toMatchObject({ gid: 2 });
    // Re-run of the same plan (a crash after the snapshot landed): already taken.
    expect(await t.run(action('local/demo:snapshot'))).toMatchObject({ already: true, gid: 2 });
    const observed = await t.observe();
    expect(observed?.restorable.map((r) => r.gid)).toEqual([2]);
  });

  it('restores, verifies against the archive, and reports an image that no longer matches as failed verification', async () => {
    const t = setup();
    await t.run(init('archive'));
    await t.run(init('storage'));
    t.write(0, 16384);
    await t.run(action('local/demo:full-backup', { params: { archive: 'local' } }));
    t.write(4096, 4096);
    await t.run(action('local/demo:snapshot'));
    const target = join(t.dataDir, 'restores/demo.img');
    const params = { name: 'newest', gid: 2, path: target };
    await t.run(action('local/demo:restore', { params }));
    expect(await t.run(action('local/demo:restore', { params }))).toMatchObject({ already: true });
    expect(readFileSync(target).equals(readFileSync(t.image))).toBe(true);
    expect(await t.run(action('local/demo:verify-restore', { params }))).toMatchObject({ ok: true });
    expect((await t.observe())?.restored).toEqual([expect.objectContaining({ gid: 2, path: target, verified: true })]);

    const fd = openSync(target, 'r+');
    writeSync(fd, Buffer.from('tampered'), 0, 8, 100_000);
    closeSync(fd);
    await expect(t.run(action('local/demo:verify-restore', { params }))).rejects.toThrow(/differs from gid 2/);
    expect((await t.observe())?.restored).toEqual([expect.objectContaining({ gid: 2, verified: false })]);
    expect(existsSync(join(t.dataDir, 'reconciler/verify/demo-2.img'))).toBe(false);

    await t.run(action('local/demo:delete-restore', { params, destructive: true }));
    expect(existsSync(target)).toBe(false);
    expect(await t.run(action('local/demo:delete-restore', { params }))).toMatchObject({ already: true });
  });

  it('merges away the snapshots retention drops, applies, and clears — each idempotent', async () => {
    const t = setup();
    await t.run(init('archive'));
    await t.run(init('storage'));
    await t.run(action('local/demo:full-backup', { params: { archive: 'local' } }));
    t.setPlanTime(new Date(Date.now() + 60_000).toISOString()); // every snapshot is newer than no plan: all are taken
    for (let i = 0; i < 3; i++) {
      t.write(i * 65536, 4096);
      await t.run(action('local/demo:snapshot'));
    }
    // Diffs |0,1|-->|2|, |2|-->|3|, |3|-->|4|; retention drops 3.
    const merge = action('local/demo:merge', { params: { gidB: 2, gidE: 4, diffs: 2, drops: [3] } });
    expect(await t.run(merge)).toMatchObject({ diffsIn: 2 });
    expect(await t.run(merge)).toMatchObject({ already: true });
    let a = await t.observe();
    expect(a?.restorable.map((r) => r.gid)).toEqual([2, 4]);
    expect(a?.lastMergeAt).toEqual(expect.any(String));

    const apply = action('local/demo:apply', { params: { gid: 2 } });
    expect(await t.run(apply)).toMatchObject({ gid: 2 });
    expect(await t.run(apply)).toMatchObject({ already: true });
    a = await t.observe();
    expect(a?.base.b.b).toBe(2);

    await t.run(action('local/demo:stop', { params: { role: 'storage' } }));
    expect(await t.run(action('local/demo:stop', { params: { role: 'storage' } }))).toMatchObject({ already: true });
    await t.run(action('local/demo:clear', { params: { role: 'storage' }, destructive: true }));
    await t.run(action('local/demo:clear', { params: { role: 'archive' }, destructive: true }));
    expect(await t.run(action('local/demo:clear', { params: { role: 'archive' }, destructive: true }))).toMatchObject({ already: true });
    expect(await t.driver.listVolumes(t.host)).toEqual([]);
    expect(existsSync(t.image)).toBe(true); // clearing never deletes the volume's own data
  });

  it('runs synchronize as the sync pair\'s catch-up replication (a host the tree does not name fails, naming it)', async () => {
    const t = setup();
    await expect(t.run(action('local/demo:synchronize', { params: { to: 'nowhere' } }))).rejects.toThrow(/no host nowhere in the tree/);
  });

  it('fails a replication to a host the tree does not name, naming it', async () => {
    const t = setup();
    await expect(t.run(action('local/demo:replicate', { params: { to: 'nowhere' } }))).rejects.toThrow(/no host nowhere in the tree/);
  });
});
