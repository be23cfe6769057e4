/**
 * With proxies and several primary archives, every primary archive gets a base: the storage's own
 * full backup goes to the first, and for each other one that answered it holds none the storage host
 * plans a full backup to it (`additional`: the log ships on), before the proxy's diffs for it can land.
 */
import { describe, expect, it } from 'vitest';

import type { ObservedPeerArchive } from '../../../common/observed.js';
import { computePlan } from '../../../reconciler/plan/compute.js';
import { desired, observed, storage, volume } from './fixtures.js';

const NOW = new Date('2026-12-05T08:00:00Z');
const AT = '2026-12-05T07:59:58Z';

const holding: ObservedPeerArchive = { reachable: true, observedAt: AT, state: 'Archived', uuid: 'a'.repeat(32), base: { b: 0, e: 1 }, newestGid: 9, restorable: [1, 5, 9], newestAt: '2026-12-05T07:59:00Z', transfer: null };
const empty = (state: 'SyncReady' | 'Clear'): ObservedPeerArchive => ({ reachable: true, observedAt: AT, state, uuid: state === 'Clear' ? null : 'b'.repeat(32), base: null, newestGid: null, restorable: [], transfer: null });

function plan(ar2: ObservedPeerArchive | undefined, opts: { proxies?: string[]; capture?: 'wdev' | 'scan'; ar2Primary?: boolean } = {}) {
  const v = volume({
    host: 'db-1',
    capture: opts.capture ?? 'wdev',
    archives: [{ host: 'ar-1', primary: true }, { host: 'ar-2', primary: opts.ar2Primary ?? true }],
    proxies: opts.proxies ?? ['px-1'],
  } as never);
  const peers: Record<string, ObservedPeerArchive> = { 'ar-1': holding, ...(ar2 ? { 'ar-2': ar2 } : {}) };
  const o = observed({ demo: { name: 'demo', storage: storage({ capture: opts.capture ?? 'wdev', latestGid: 9, lastSnapshotAt: '2026-12-05T07:59:00Z' }), peers } }, { host: 'db-1' });
  return computePlan(desired([v], { hosts: ['db-1', 'px-1', 'ar-1', 'ar-2'] }), o, NOW).plan;
}

const bases = (p: ReturnType<typeof plan>) => p.actions.filter((a) => a.kind === 'full-backup');

describe('bases for every primary archive a proxy feeds', () => {
  it('plans a full backup to a second primary archive that holds no base, without restarting the log', () => {
    const p = plan(empty('SyncReady'));
    expect(bases(p)).toEqual([expect.objectContaining({ id: 'db-1/demo:full-backup:base:ar-2', params: { archive: 'ar-2', additional: true }, blocked: null })]);
    expect(bases(p)[0]!.reason).toBe("ar-2 is a primary archive the proxies (px-1) forward the log to, and holds no base of the volume (SyncReady): a full backup gives it one (at a gid the log ships from), before the proxy's diffs for it can land");
  });

  it('waits for an archive that has not initialised its archive yet, saying so', () => {
    expect(bases(plan(empty('Clear')))).toEqual([expect.objectContaining({ id: 'db-1/demo:full-backup:base:ar-2', blocked: 'ar-2 has not initialised its archive of this volume yet (its own daemon does that)' })]);
  });

  it('plans nothing for an archive that holds a base, was not observed, or is unreachable', () => {
    expect(bases(plan(holding))).toEqual([]);
    expect(bases(plan(undefined))).toEqual([]);
    expect(bases(plan({ reachable: false, observedAt: AT, error: 'connect ECONNREFUSED 127.0.0.74:9471' }))).toEqual([]);
  });

  it('plans nothing without proxies on other hosts, for a scan volume, or for a secondary archive (replication feeds it)', () => {
    expect(bases(plan(empty('SyncReady'), { proxies: [] }))).toEqual([]);
    expect(bases(plan(empty('SyncReady'), { proxies: ['db-1'] }))).toEqual([]);
    expect(bases(plan(empty('SyncReady'), { capture: 'scan' }))).toEqual([]);
    expect(bases(plan(empty('SyncReady'), { ar2Primary: false }))).toEqual([]);
  });

  it('leaves the snapshot schedule of the first archive as it was', () => {
    const withBase = plan(empty('SyncReady')).actions.filter((a) => a.kind !== 'full-backup').map((a) => a.id);
    const without = plan(holding).actions.map((a) => a.id);
    expect(withBase).toEqual(without);
  });
});
