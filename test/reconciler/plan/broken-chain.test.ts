/**
 * A chain with a hole (a diff missing from the archive) is repaired first, and nothing that needs the
 * missing diff is planned.
 */
import { describe, expect, it } from 'vitest';

import { computePlan } from '../../../reconciler/plan/compute.js';
import { archive, desired, diff, observed, storage, volume } from './fixtures.js';

const NOW = new Date('2026-11-21T12:00:00Z');

function planWithHole() {
  // base 10, diffs 10→11, 11→12, then 12→13 is missing, then 13→14, 14→15.
  const diffs = [diff(10, 11, 1), diff(11, 12, 2), diff(13, 14, 3), diff(14, 15, 4), diff(15, 16, 5)];
  const v = volume({
    archives: [{ host: 'local', primary: true }, { host: 'site-b', primary: false }],
    replication: [{ from: 'local', to: 'site-b', mode: 'async', schedule: null, compression: 'none', bandwidthLimitBytes: null }],
    restores: [{ name: 'latest', pick: 'newest', path: '/srv/r/latest.img', verify: false }],
    merge: { intervalSeconds: 3600, maxNr: 10, maxSizeBytes: 1 << 30, thresholdNr: 2 },
  });
  const o = observed({ demo: { name: 'demo', storage: storage({ latestGid: 16, lastSnapshotAt: '2026-11-20T05:00:00Z' }), archive: archive(10, diffs) } });
  return computePlan(desired([v], { hosts: ['site-b'] }), o, NOW).plan;
}

describe('a broken chain', () => {
  const plan = planWithHole();
  const byKind = (kind: string) => plan.actions.filter((a) => a.kind === kind);

  it('is repaired first by a hash backup, instead of a snapshot that would extend the unreachable part', () => {
    expect(byKind('snapshot')).toEqual([]);
    expect(byKind('hash-backup')).toEqual([expect.objectContaining({ id: 'local/demo:hash-backup:repair', params: { archive: 'local', repairAfterGid: 12 } })]);
    expect(byKind('hash-backup')[0]!.reason).toContain('missing diffs between gid 12 and gid 13');
  });

  it('plans no replication, restore, merge or apply to a gid past the hole', () => {
    expect(byKind('replicate').map((a) => a.params.toGid)).toEqual([12]);
    for (const a of byKind('restore')) expect(a.params.gid).toBeLessThanOrEqual(12);
    for (const a of [...byKind('merge'), ...byKind('apply')]) expect(Number(a.params.gidE ?? a.params.gid)).toBeLessThanOrEqual(12);
    expect(byKind('restore')).toHaveLength(1);
    expect(plan.diagnostics.map((d) => d.message)).toContain('the archive is missing diffs between gid 12 and gid 13: nothing past gid 12 is planned until a hash backup repairs the chain');
  });
});

describe('an archive on the storage host that lost its newest diffs', () => {
  // The storage took gids up to 14 (it advances only after the archive took each diff); the chain
  // now ends at 12: no later diff shows a gap, but 12→13 and 13→14 are gone.
  const planFor = (capture: 'scan' | 'wdev') => {
    const v = volume({ archives: [{ host: 'local', primary: true }] });
    const o = observed({ demo: { name: 'demo', storage: storage({ capture, latestGid: 14, lastSnapshotAt: '2026-11-20T05:00:00Z' }), archive: archive(10, [diff(10, 11, 1), diff(11, 12, 2)]) } });
    return computePlan(desired([v]), o, NOW).plan;
  };

  it('is repaired by a hash backup from where the chain ends, before any snapshot, and the reason says so', () => {
    const plan = planFor('scan');
    expect(plan.actions.filter((a) => a.kind === 'snapshot')).toEqual([]);
    const repair = plan.actions.filter((a) => a.kind === 'hash-backup');
    expect(repair).toEqual([expect.objectContaining({ id: 'local/demo:hash-backup:repair', params: { archive: 'local', repairAfterGid: 12 } })]);
    expect(repair[0]!.reason).toContain('chain ends at gid 12, short of gid 14');
  });

  it('is not assumed of a wdev, whose gids run ahead of its archive while the log ships', () => {
    expect(planFor('wdev').actions.filter((a) => a.id.endsWith(':repair'))).toEqual([]);
  });
});
