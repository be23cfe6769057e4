/**
 * The walb driver's walb-archive side, run through the REAL walbc against stand-in servers speaking
 * WalB's protocol (test/helpers/walb-standin.ts; walb-archive itself cannot run here: no LVM): what it
 * observes (replicas read from the receiving walb-archive), restore/apply/merge followed to their end
 * and checked, verify-restore refused as not supported, and the volumes listed for removal.
 */
import { existsSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { createWalbDriver } from '../../../../reconciler/drivers/walb/index.js';
import { WalbTaskFailedError, WalbUnsupportedError } from '../../../../reconciler/drivers/walb/errors.js';
import { action } from '../../apply/fake-driver.js';
import { type RunningStandin, type StandinAnswer, startWalbStandin } from '../../../helpers/walb-standin.js';
import { walbcBin, walbSkipReason } from '../../../helpers/walb-proxy.js';
import { context, sequence, target, walbTree } from './walb-tree.js';

if (walbSkipReason) console.warn(`walb/archive.test.ts skipped: ${walbSkipReason}`);

const driver = () => createWalbDriver({ binary: walbcBin, intervalMs: 50, taskTimeoutMs: 10_000 });
const started: RunningStandin[] = [];
afterEach(async () => { for (const s of started.splice(0)) await s.close(); });

async function archives(ar1: (cmd: string, p: string[]) => StandinAnswer, ar2: (cmd: string, p: string[]) => StandinAnswer = () => ({ error: 'not here' }), options: { restorePath?: string } = {}) {
  const a1 = await startWalbStandin(ar1, { nodeId: 'ar-1' });
  const a2 = await startWalbStandin(ar2, { nodeId: 'ar-2' });
  started.push(a1, a2);
  return { a1, a2, desired: await walbTree({ storage: 1, proxy: 2, ar1: a1.server.port, ar2: a2.server.port }, 'sync', options) };
}

const get = (answers: Record<string, StandinAnswer>) => (cmd: string, p: string[]): StandinAnswer => (cmd === 'get' ? answers[p[0]!] ?? { error: `no ${p[0]}` } : {});

describe.skipIf(walbSkipReason !== '')('the walb driver on a walb-archive (real walbc, stand-in servers)', () => {
  it('observes WalB\'s forms: base with its time, diffs, restorable, restored LVs, and the replica from the receiver', async () => {
    const { a1, a2, desired } = await archives(get({
      state: { value: 'WdiffRecv' }, base: { value: '<|3|>-20261205070000' }, diff: { value: ['|3|-->|5| M- 2026-12-05T07:10:00 4096'] },
      restorable: { value: ['3 2026-12-05T07:00:00', '5 2026-12-05T07:10:00'] }, restored: { value: ['3'] },
      uuid: { value: 'fedcba9876543210fedcba9876543210' }, 'volume-group': { value: 'vg0' },
    }), get({ restorable: { value: ['3 2026-12-05T07:00:00'] } }));
    const observed = await driver().archive.observe(target(desired, 'ar-1'));
    expect(observed).toMatchObject({
      state: 'Archived', busy: null, base: { b: { b: 3, e: 3 } }, uuid: 'fedcba9876543210fedcba9876543210', explicitSnapshots: [3, 5],
      restored: [{ gid: 3, path: '/dev/vg0/wr_pg_3', createdAt: null, verified: null }],
      replicas: { 'ar-2': { gid: 3, timestamp: '2026-12-05T07:00:00Z', replicatedAt: '2026-12-05T07:00:00Z' } },
    });
    expect(observed!.diffs).toHaveLength(1);
    expect(a1.calls.map((c) => c.params.join(' ')).sort()).toEqual(['base pg', 'diff pg', 'restorable pg', 'restored pg', 'state pg', 'uuid pg', 'volume-group']);
    // ar-3 is a walbctl archive: not asked (WalB replicates only to walb-archives).
    expect(a2.calls.map((c) => c.params.join(' '))).toEqual(['restorable pg']);
  });

  it('answers for a walb-archive as a storage\'s peer (what the wire\'s status call says of a walbctl archive), and leaves a walbctl archive to the wire', async () => {
    const { desired } = await archives(get({
      state: { value: 'Archived' }, base: { value: '<|3|>-20261205070000' }, diff: { value: ['|3|-->|5| M- 2026-12-05T07:10:00 4096'] },
      restorable: { value: ['3 2026-12-05T07:00:00', '5 2026-12-05T07:10:00'] }, uuid: { value: 'fedcba9876543210fedcba9876543210' },
    }));
    const d = driver();
    expect(await d.observePeerArchive!(desired.hosts['ar-1']!, 'pg')).toEqual({
      reachable: true, observedAt: expect.any(String), state: 'Archived', uuid: 'fedcba9876543210fedcba9876543210',
      base: { b: 3, e: 3 }, newestGid: 5, restorable: [3, 5], newestAt: '2026-12-05T07:10:00Z',
    });
    expect(await d.observePeerArchive!(desired.hosts['ar-3']!, 'pg')).toBeNull();
  });

  it('follows a restore until WalB\'s Restore count is 0 and the image is there, and does nothing the second time', async () => {
    const restoring = sequence('1', '1', '0');
    const restored = sequence<string[]>([], ['7']);
    const { a1, desired } = await archives((cmd, p) => (cmd !== 'get' ? {} : p[0] === 'num-action' ? { value: Number(restoring()) } : p[0] === 'restored' ? { value: restored() } : { error: 'no' }));
    const d = driver();
    const a = action('ar-1/pg:restore', { params: { gid: 7 } });
    expect(await d.archive.restore(a, context(desired, 'ar-1'))).toEqual({ walbc: 'restore pg 7' });
    expect(a1.calls.filter((c) => c.command === 'get' && c.params[0] === 'num-action').map((c) => c.params)).toEqual([['num-action', 'pg', 'Restore'], ['num-action', 'pg', 'Restore'], ['num-action', 'pg', 'Restore']]);
    expect(await d.archive.restore(a, context(desired, 'ar-1'))).toEqual({ walbc: 'restore pg 7', skipped: 'already done' });
    expect(a1.calls.filter((c) => c.command === 'restore')).toHaveLength(1);
  });

  it('links a declared restore\'s path to walb-archive\'s LV, observes the image there, and removes the link with it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'walbctl-walb-restore-'));
    const path = join(dir, 'restores/pg-check');
    let restored: string[] = [];
    const answers: Record<string, () => StandinAnswer> = {
      state: () => ({ value: 'Archived' }), base: () => ({ value: '<|3|>-20261205070000' }), diff: () => ({ value: [] }),
      restorable: () => ({ value: ['3 2026-12-05T07:00:00'] }), restored: () => ({ value: restored }), uuid: () => ({ value: 'u' }),
      'volume-group': () => ({ value: 'vg0' }), 'num-action': () => ({ value: 0 }),
    };
    const { a1, desired } = await archives((cmd, p) => {
      if (cmd === 'restore') { restored = ['3', '5']; return {}; }
      if (cmd === 'del-restored') { restored = restored.filter((g) => g !== p[1]); return {}; }
      return cmd === 'get' ? answers[p[0]!]?.() ?? { error: 'no' } : { error: 'unexpected' };
    }, undefined, { restorePath: path });
    try {
      const d = driver();
      expect(await d.archive.restore(action('ar-1/pg:restore', { params: { name: 'check', gid: 3, path } }), context(desired, 'ar-1'))).toEqual({ walbc: 'restore pg 3', image: '/dev/vg0/wr_pg_3', path });
      expect(readlinkSync(path)).toBe('/dev/vg0/wr_pg_3');
      const observed = await d.archive.observe(target(desired, 'ar-1'));
      // The linked LV at the declared path (with the link's time); gid 5's LV, linked from nowhere, at its own.
      expect(observed!.restored).toEqual([
        { gid: 3, path, createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/), verified: null },
        { gid: 5, path: '/dev/vg0/wr_pg_5', createdAt: null, verified: null },
      ]);
      expect(await d.archive['delete-restore'](action('ar-1/pg:delete-restore', { params: { gid: 3, path } }), context(desired, 'ar-1'))).toEqual({ walbc: 'del-restored pg 3' });
      expect(existsSync(path) || (() => { try { readlinkSync(path); return true; } catch { return false; } })()).toBe(false);
      expect(a1.calls.filter((c) => c.command === 'del-restored').map((c) => c.params)).toEqual([['pg', '3']]);
      // Something that is not walbctl's link is never replaced.
      writeFileSync(path, 'mine');
      const e = await d.archive.restore(action('ar-1/pg:restore', { params: { name: 'check', gid: 5, path } }), context(desired, 'ar-1')).catch((x: unknown) => x);
      expect((e as Error).message).toBe(`${path} exists and is not a link walbctl made: the restore of /dev/vg0/wr_pg_5 is not linked there (move it away, or declare another path)`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says when an apply ended with the base still applying, and merges by gid range', async () => {
    const { a1, desired } = await archives((cmd, p) => (cmd !== 'get' ? {} : p[0] === 'num-action' ? { value: 0 } : p[0] === 'base' ? { value: '<|3|-->|9|>-20261205070000' } : { error: 'no' }));
    const e = await driver().archive.apply(action('ar-1/pg:apply', { params: { gid: 9 } }), context(desired, 'ar-1')).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(WalbTaskFailedError);
    expect((e as Error).message).toBe(`WalB server 127.0.0.1:${a1.server.port}: walbc apply pg 9 ended without its result: the base is still applying (<3-->9>)`);
    expect(await driver().archive.merge(action('ar-1/pg:merge', { params: { gidB: 3, gidE: 9 } }), context(desired, 'ar-1'))).toEqual({ walbc: 'merge pg 3 gid 9' });
    expect(a1.calls.filter((c) => c.command === 'merge').map((c) => c.params)).toEqual([['pg', '3', 'gid', '9']]);
  });

  it('clears an archived volume as WalB\'s controller does: stopped (force) first, then clear-vol', async () => {
    const state = sequence('Archived', 'Stop', 'Stopped', 'Stopped');
    const { a1, desired } = await archives((cmd, p) => (cmd === 'get' && p[0] === 'state' ? { value: state() } : {}));
    expect(await driver().archive.clear(action('ar-1/pg:clear', { params: { role: 'archive' } }), context(desired, 'ar-1'))).toEqual({ walbc: 'stop pg force; clear-vol pg' });
    expect(a1.calls.filter((c) => c.command !== 'get').map((c) => `${c.command} ${c.params.join(' ')}`)).toEqual(['stop pg force', 'clear-vol pg']);
  });

  it('refuses verify-restore as not supported by WalB servers, without touching them', async () => {
    const { a1, desired } = await archives(() => ({ error: 'no' }));
    const e = await driver().archive['verify-restore'](action('ar-1/pg:verify-restore', { params: { gid: 7, path: '/x' } }), context(desired, 'ar-1')).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(WalbUnsupportedError);
    expect((e as WalbUnsupportedError).retryable).toBe(false);
    expect((e as Error).message).toMatch(/^verify-restore is not supported by WalB servers: WalB servers cannot verify a restored image/);
    expect(a1.calls).toEqual([]);
  });

  it('lists the volumes walb-archive holds, so one the tree dropped is planned for removal', async () => {
    const { desired } = await archives(get({ vol: { value: ['pg', 'old'] } }));
    expect(await driver().listVolumes(desired.hosts['ar-1']!)).toEqual(['old', 'pg']);
  });
});
