import { describe, expect, it } from 'vitest';

import { evaluate, type VolumeCheck } from '../../../reconciler/check/evaluate.js';
import { thresholdsFor } from '../../../reconciler/check/thresholds.js';
import { healthValues } from '../../../reconciler/check/values.js';
import { archive, diff, storage, volume } from '../plan/fixtures.js';

const NOW = Date.parse('2026-11-21T12:00:00Z');
/** Diffs end at T0 + hours; T0 = 2026-11-20T00:00Z, so hour 35 is one hour before NOW. */
const demo = (lastHour: number, overrides: Parameters<typeof volume>[0] = {}) => {
  const v = volume(overrides);
  const live = { name: 'demo', storage: storage({ capture: v.capture }), archive: archive(10, [diff(10, 11, lastHour - 1), diff(11, 12, lastHour)]) };
  return { address: v.address, values: healthValues('local', v, live, NOW), thresholds: thresholdsFor(v, { now: NOW }) } satisfies VolumeCheck;
};

describe('walbctl check\'s evaluation', () => {
  it.each<[string, number, 0 | 1 | 2]>([
    ['OK while the recovery point is younger than 2 snapshot intervals', 35.5, 0],
    ['WARNING from 2 snapshot intervals', 34, 1],
    ['CRITICAL from 4 snapshot intervals', 31, 2],
  ])('is %s (hourly snapshots by default)', (_name, lastHour, state) => {
    expect(evaluate('local', [demo(lastHour)]).state).toBe(state);
  });

  it('prints one status line with perfdata in the plugin format', () => {
    const r = evaluate('local', [demo(34)]);
    expect(r.line.split('\n')).toHaveLength(1);
    expect(r.line).toMatch(/^WALBCTL WARNING - local\/demo: recovery point 2 ?h old \(newest restorable snapshot\) \(WARNING at 2 ?h\) \| /);
    expect(r.perfdata).toContain("'local/demo recovery_point_age'=7200s;7200;14400;0;");
    expect(r.perfdata).toContain("'local/demo diff_backlog'=2000B;;;0;");
  });

  it('is UNKNOWN for a volume it could not observe, but CRITICAL wins over it', () => {
    const lost: VolumeCheck = { address: 'local/lost', values: null, thresholds: null, error: 'cannot observe: EIO' };
    expect(evaluate('local', [demo(35.5), lost])).toMatchObject({ state: 3 });
    expect(evaluate('local', [demo(31), lost]).state).toBe(2);
    expect(evaluate('local', [demo(35.5), lost]).line).toContain('local/lost: UNKNOWN: cannot observe: EIO');
  });

  it('takes a flag over the tree\'s check: and the tree over the defaults', () => {
    const v = volume({ check: { recoveryPointAgeSeconds: { warning: 600, critical: null }, diffBacklogBytes: { warning: 1000, critical: 1500 } } });
    const tree = thresholdsFor(v, { now: NOW });
    expect(tree.recoveryPointAge).toEqual({ warning: 600, critical: 4 * 3600 });
    expect(tree.diffBacklog).toEqual({ warning: 1000, critical: 1500 });
    expect(tree.logUsage).toEqual({ warning: 80, critical: 95 });
    const flagged = thresholdsFor(v, { now: NOW, flags: { recoveryPointAgeSeconds: { warning: 60, critical: 120 } } });
    expect(flagged.recoveryPointAge).toEqual({ warning: 60, critical: 120 });
  });

  it('takes a wdev volume\'s recovery point from its newest archived write when that is newer than its newest snapshot', () => {
    const v = volume({ capture: 'wdev' });
    const a = archive(10, [diff(10, 11, 30)]);
    a.diffs.push(diff(11, 12, 35, { e: { b: 12, e: 13 } }));
    const values = healthValues('local', v, { name: 'demo', archive: a, storage: storage({ capture: 'wdev', log: { oldestLsid: 0, permanentLsid: 10, writtenLsid: 10, capacityPb: 1000, usagePb: 900 } }) }, NOW);
    expect(values.recoveryPoint).toMatchObject({ ageSeconds: 3600, source: 'archived-write' });
    expect(values.logUsagePercent).toBe(90);
    expect(evaluate('local', [{ address: v.address, values, thresholds: thresholdsFor(v, { now: NOW }) }]).line).toContain('log ring 90% full (WARNING at 80%)');
  });

  it('leaves out what this host cannot see: a volume whose archive is elsewhere has no recovery point here', () => {
    const values = healthValues('local', volume(), { name: 'demo', storage: storage() }, NOW);
    expect(values).toEqual({ recoveryPoint: null, replicationLag: null, diffBacklog: null, logUsagePercent: null });
  });
});
