import { describe, expect, it } from 'vitest';

import { computePlan } from '../../../reconciler/plan/compute.js';
import { observedDigest } from '../../../reconciler/plan/digest.js';
import { isPlanStale, planStaleness } from '../../../reconciler/plan/stale.js';
import { archive, desired, diff, observed, storage, volume } from './fixtures.js';

const rev = 'main@sha1:1111111111111111111111111111111111111111';
const live = () => observed({ demo: { name: 'demo', storage: storage({ log: { oldestLsid: 0, permanentLsid: 10, writtenLsid: 10, capacityPb: 100, usagePb: 1 } }), archive: archive(0, [diff(0, 10, 1), diff(10, 20, 2)]) } });
const { plan } = computePlan(desired([volume()]), live(), new Date('2026-11-21T12:00:00Z'));

describe('saved plan staleness', () => {
  it('accepts a plan against the same revision and the same observed state observed again later', () => {
    const again = { ...live(), observedAt: '2026-11-21T12:05:00Z' };
    expect(planStaleness(plan, rev, again)).toBeNull();
    expect(isPlanStale(plan, rev, again)).toBe(false);
  });

  it('ignores the storage log position, which moves with every write', () => {
    const moved = live();
    moved.volumes.demo!.storage!.log!.writtenLsid = 99;
    expect(isPlanStale(plan, rev, moved)).toBe(false);
  });

  it('refuses a plan made at another revision', () => {
    expect(planStaleness(plan, 'main@sha1:2222222222222222222222222222222222222222', live())).toMatch(/^the plan was made at revision main@sha1:1111.*, the repository is now at main@sha1:2222/);
  });

  it('refuses a plan when the live state changed (a new diff arrived)', () => {
    const changed = live();
    changed.volumes.demo!.archive!.diffs.push(diff(20, 30, 3));
    expect(planStaleness(plan, rev, changed)).toMatch(/^the live state changed since the plan was made/);
  });

  it('refuses a plan for another host', () => {
    expect(planStaleness(plan, rev, { ...live(), host: 'db-1' })).toMatch(/for host local, the observed state is of host db-1/);
  });

  it('digests the same state the same whatever the order of volumes', () => {
    const a = observed({ x: { name: 'x' }, y: { name: 'y' } });
    const b = observed({ y: { name: 'y' }, x: { name: 'x' } });
    expect(observedDigest(a)).toBe(observedDigest(b));
    expect(observedDigest(a)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});
