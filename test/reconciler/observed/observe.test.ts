import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import type { ObservedArchive, ObservedStorage } from '../../../common/observed.js';
import { declaredVolumes, observeHost } from '../../../reconciler/observed/index.js';
import { readLastApplied, writeLastApplied } from '../../../reconciler/observed/last-applied.js';
import { desiredFor, fakeDriver, volume } from '../apply/fake-driver.js';

const storage = (latestGid: number): ObservedStorage => ({ state: 'Target', capture: 'scan', uuid: 'u', devicePath: '/d', sizeBytes: 1, overflow: false, latestGid });
const archive: ObservedArchive = { state: 'Archived', base: { b: { b: 0, e: 1 } }, uuid: 'a', diffs: [], explicitSnapshots: [], restorable: [], restored: [], replicas: {}, busy: null };

describe('observeHost', () => {
  it('reports every declared volume and every volume found on disk, with the time it observed', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'walbctl-obs-'));
    const { desired, host } = desiredFor(dataDir, [volume('demo'), volume('fresh')]);
    const driver = fakeDriver();
    driver.listVolumes = async () => ['demo', 'gone'];
    driver.storage.observe = async (t) => (t.name === 'fresh' ? undefined : storage(t.volume ? 5 : 9));
    driver.archive.observe = async (t) => (t.name === 'demo' ? archive : undefined);
    const o = await observeHost(host, desired, { driver, now: () => new Date('2026-11-21T10:00:00Z') });
    expect(o).toMatchObject({ formatVersion: 1, host: 'local', observedAt: '2026-11-21T10:00:00.000Z', lastApplied: null });
    expect(Object.keys(o.volumes)).toEqual(['demo', 'fresh', 'gone']);
    expect(o.volumes.demo).toEqual({ name: 'demo', storage: storage(5), archive });
    expect(o.volumes.fresh).toEqual({ name: 'fresh' });
    expect(o.volumes.gone.storage?.latestGid).toBe(9); // found on disk, not declared: target.volume is null
  });

  it('asks only for the roles the host has', async () => {
    const { desired, host } = desiredFor(mkdtempSync(join(tmpdir(), 'walbctl-obs-')), [volume('demo')]);
    host.roles = ['archive'];
    const driver = fakeDriver();
    driver.storage.observe = async () => {
      throw new Error('storage asked on an archive-only host');
    };
    driver.archive.observe = async () => archive;
    expect((await observeHost(host, desired, { driver })).volumes.demo).toEqual({ name: 'demo', archive });
  });

  it('counts volumes stored on other hosts that archive here', () => {
    const { desired, host } = desiredFor('/d', [volume('local-one')]);
    desired.hosts.db = { ...host, name: 'db', volumes: { pg: volume('pg', { host: 'db', address: 'db/pg', archives: [{ host: 'local', primary: true }] }) } };
    expect([...declaredVolumes(host, desired).keys()].sort()).toEqual(['local-one', 'pg']);
  });

  it('carries what was last applied, with each volume\'s protect flag', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'walbctl-obs-'));
    const { desired, host } = desiredFor(dataDir, [volume('demo')]);
    const driver = fakeDriver();
    driver.storage.observe = async () => storage(3);
    driver.archive.observe = async () => ({ ...archive, diffs: [{ b: { b: 0, e: 1 }, e: { b: 2, e: 2 }, mergeable: true, compared: false, timestamp: '2026-11-21T09:00:00Z', dataSize: 10, file: 'f' }] });
    const first = await observeHost(host, desired, { driver });
    await writeLastApplied(dataDir, first, { revision: 'main@sha1:abc', protect: { demo: true } });
    expect(await readLastApplied(dataDir)).toEqual({ revision: 'main@sha1:abc', at: first.observedAt, volumes: { demo: { initialized: true, diffCount: 1, latestGid: 3, protect: true } } });
    expect((await observeHost(host, desired, { driver })).lastApplied?.revision).toBe('main@sha1:abc');
  });
});

describe('observeHost and a volume that cannot be observed', () => {
  it('throws without a handler, and with one leaves the volume out and says why', async () => {
    const { desired, host } = desiredFor(mkdtempSync(join(tmpdir(), 'walbctl-obs-')), [volume('bad'), volume('ok')]);
    const driver = fakeDriver();
    driver.archive.observe = async (t) => {
      if (t.name === 'bad') throw new Error('unreadable');
      return archive;
    };
    await expect(observeHost(host, desired, { driver })).rejects.toThrow('unreadable');
    const errors: string[] = [];
    const o = await observeHost(host, desired, { driver, onVolumeError: (name, e) => errors.push(`${name}: ${(e as Error).message}`) });
    expect(Object.keys(o.volumes)).toEqual(['ok']);
    expect(errors).toEqual(['bad: unreadable']);
  });
});
