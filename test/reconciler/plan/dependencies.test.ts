/**
 * The dependency rules of reconciler/plan/design.md, as a table: for each action of a volume with
 * every kind of work at once, what it waits for — and what it must not wait for.
 */
import { describe, expect, it } from 'vitest';

import { executionOrder } from '../../../reconciler/apply/order.js';
import type { PlanAction } from '../../../reconciler/model/plan.js';
import { computePlan } from '../../../reconciler/plan/compute.js';
import { archive, desired, diff, observed, storage, volume } from './fixtures.js';

const NOW = new Date('2026-11-21T12:00:00Z');

/** local/demo: archive Stopped, snapshot due, an old diff to apply, a due merge, a declared restore missing,
 *  an image an operator restored by hand, an async pair to site-b and a sync pair to site-c (both need the transport). */
function busyVolume(): PlanAction[] {
  const diffs = [diff(10, 11, 1), diff(11, 12, 2), diff(12, 13, 3), diff(13, 14, 30), diff(14, 15, 31), diff(15, 16, 32), diff(16, 17, 33)];
  const v = volume({
    apply: { olderThanSeconds: 12 * 3600 },
    merge: { intervalSeconds: 3600, maxNr: 10, maxSizeBytes: 1 << 30, thresholdNr: 3 },
    archives: [{ host: 'local', primary: true }, { host: 'site-b', primary: false }, { host: 'site-c', primary: false }],
    replication: [
      { from: 'local', to: 'site-b', mode: 'async', schedule: null, compression: 'none', bandwidthLimitBytes: null },
      { from: 'local', to: 'site-c', mode: 'sync', schedule: null, compression: 'none', bandwidthLimitBytes: null },
    ],
    restores: [{ name: 'daily', pick: 'newest', path: '/srv/r/daily.img', verify: true }],
  });
  const a = archive(10, diffs, { state: 'Stopped', restored: [{ gid: 12, path: '/tmp/r12.img', createdAt: '2026-11-20T05:00:00Z', verified: null }] });
  const o = observed({ demo: { name: 'demo', storage: storage({ latestGid: 17, lastSnapshotAt: '2026-11-21T09:00:00Z' }), archive: a, proxy: { state: 'Started', archives: ['local'] } } });
  return computePlan(desired([v], { hosts: ['site-b', 'site-c'] }), o, NOW).plan.actions;
}

const id = (s: string): string => `local/demo:${s}`;

describe('dependencies between the actions of one volume', () => {
  const actions = busyVolume();
  const deps = Object.fromEntries(actions.map((a) => [a.id.replace('local/demo:', ''), a.dependsOn.map((d) => d.replace('local/demo:', ''))]));

  it.each([
    ['start:archive', [], 'the archive\'s start waits for nothing'],
    ['snapshot', ['start:archive'], 'a snapshot waits for the archive it sends its diff to, not for apply, merge, restores or replication'],
    ['apply', ['start:archive'], 'an apply waits for the archive\'s start'],
    ['merge:choice', ['apply'], 'a merge waits for the apply before it (they exclude each other and are planned in turn)'],
    ['restore:daily', ['start:archive', 'apply'], 'a restore waits for the apply that moves the base it reads, not for a merge, an operator\'s image or replication'],
    ['verify-restore:daily', ['restore:daily'], 'a verification waits for its own restore'],
    ['replicate:site-b', ['start:archive', 'apply'], 'a replication waits for the apply, not for restores or other pairs'],
    ['synchronize:site-c', ['start:archive', 'apply'], 'synchronize to=site-c does not depend on replicate to=site-b'],
  ])('%s depends on %j: %s', (action, expected) => {
    expect(deps[action], `plan has ${Object.keys(deps).join(', ')}`).toEqual(expected);
  });

  it('holds exactly the actions of the table, so none escapes it', () => {
    expect(Object.keys(deps).sort()).toEqual(['apply', 'merge:choice', 'replicate:site-b', 'restore:daily', 'snapshot', 'start:archive', 'synchronize:site-c', 'verify-restore:daily']);
  });

  it('keeps the plan deterministic: the same inputs give the same ids, order and dependencies', () => {
    expect(JSON.stringify(busyVolume())).toBe(JSON.stringify(actions));
    expect(executionOrder(actions).map((a) => a.id)).toEqual(actions.map((a) => a.id));
  });

  it('lets the declared restore and the other pair run when a pair cannot (blocked, refused, or failing)', () => {
    // Nothing in this plan is blocked any more: the sync pair stands in for one that fails.
    const blockedOrRefused = new Set([...actions.filter((a) => a.blocked || a.refused).map((a) => a.id), id('synchronize:site-c')]);
    const held = (a: PlanAction): boolean => a.dependsOn.some((d) => blockedOrRefused.has(d) || held(actions.find((x) => x.id === d)!));
    expect(held(actions.find((a) => a.id === id('restore:daily'))!)).toBe(false);
    expect(held(actions.find((a) => a.id === id('replicate:site-b'))!)).toBe(false);
  });
});
