/**
 * Properties every plan has, checked on random desired/observed pairs (seeded): unique ids, dependencies
 * only on earlier actions, every destructive action on a protected volume refused, no action for a
 * suspended volume, the change kind fixed by the action kind, and the same inputs giving the same plan.
 */
import { describe, expect, it } from 'vitest';

import type { DesiredVolume } from '../../../reconciler/model/desired.js';
import type { ObservedVolume, StorageState } from '../../../common/observed.js';
import { CHANGE_OF } from '../../../reconciler/plan/change-kind.js';
import { computePlan } from '../../../reconciler/plan/compute.js';
import { archive, desired, diff, observed, storage, volume } from './fixtures.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const states: (StorageState | undefined)[] = [undefined, 'Clear', 'SyncReady', 'Stopped', 'Target', 'Target', 'Target'];

describe('plan properties on random states', () => {
  it('hold for 300 random hosts', () => {
    const r = rng(7);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(r() * list.length)]!;
    for (let round = 0; round < 300; round++) {
      const volumes: DesiredVolume[] = [];
      const live: Record<string, ObservedVolume> = {};
      const count = 1 + Math.floor(r() * 4);
      for (let i = 0; i < count; i++) {
        const name = `v${i}`;
        const declared = r() < 0.85;
        const v = volume({
          name, protect: r() < 0.3, suspend: r() < 0.15,
          retention: pick([{ grid: null }, { grid: null, keepLast: 2 }, { grid: [{ count: 6, periodSeconds: 3600, keep: 1 }] }, { grid: null, keepDaily: 1, keepHourly: 3 }]),
          apply: r() < 0.5 ? { olderThanSeconds: 3600 * Math.floor(1 + r() * 30) } : null,
          restores: r() < 0.5 ? [{ name: 'r', pick: pick(['newest', 'newest-hourly', 'newest-daily'] as const), path: `/srv/r-${name}.img`, verify: r() < 0.5 }] : [],
        });
        if (declared) volumes.push(v);
        const state = pick(states);
        const n = Math.floor(r() * 10);
        const diffs = Array.from({ length: n }, (_, k) => diff(k * 10, (k + 1) * 10, k * 3, { mergeable: r() > 0.1 }));
        live[name] = {
          name,
          ...(state ? { storage: storage({ state, overflow: r() < 0.1, lastSnapshotAt: r() < 0.5 ? null : '2026-11-21T10:00:00Z' }) } : {}),
          ...(r() < 0.8 ? { archive: archive(0, diffs, { explicit: diffs.filter(() => r() < 0.7).map((d) => d.e.b), busy: r() < 0.1 ? 'merge' : null, restored: r() < 0.3 ? [{ gid: 10, path: `/srv/other-${name}.img`, createdAt: '2026-11-21T00:00:00Z', verified: true }] : [] }) } : {}),
        };
      }
      const protectedNames = new Set(volumes.filter((v) => v.protect).map((v) => v.address));
      const suspended = new Set(volumes.filter((v) => v.suspend).map((v) => v.address));
      const d = desired(volumes);
      const o = observed(live, { lastApplied: { revision: null, at: null, volumes: Object.fromEntries(Object.keys(live).map((n) => [n, { initialized: true, diffCount: 3, latestGid: 20, protect: r() < 0.5 }])) } });
      const now = new Date('2026-11-21T12:00:00Z');
      const { plan } = computePlan(d, o, now);
      const context = `round ${round}`;
      const seen = new Set<string>();
      for (const a of plan.actions) {
        expect(seen.has(a.id), context).toBe(false);
        for (const dep of a.dependsOn) expect(seen.has(dep), `${context}: ${a.id} depends on ${dep}`).toBe(true);
        seen.add(a.id);
        expect(a.change, context).toBe(CHANGE_OF[a.kind]);
        if (a.destructive && protectedNames.has(a.address)) expect(a.refused, context).toBeTruthy();
        if (!a.destructive) expect(a.refused ?? null, context).toBeNull();
        expect(suspended.has(a.address), `${context}: ${a.id} on a suspended volume`).toBe(false);
      }
      expect(plan.applyable, context).toBe(true);
      expect(computePlan(d, o, now).plan, context).toEqual(plan);
    }
  });
});

describe('upcoming actions', () => {
  it('lists only times after now, so a daemon ticking on them never spins', () => {
    // Apply is due by age but held back by retention (keepLast keeps every snapshot): no past time listed.
    const v = volume({ apply: { olderThanSeconds: 3600 }, retention: { grid: null, keepLast: 100 } });
    const diffs = [diff(0, 10, 1), diff(10, 20, 2), diff(20, 30, 3)];
    const o = observed({ demo: { name: 'demo', storage: storage({ lastSnapshotAt: '2026-11-21T11:30:00Z' }), archive: archive(0, diffs, { explicit: [0, 10, 20, 30] }) } });
    const now = new Date('2026-11-21T11:45:00Z');
    const { plan } = computePlan(desired([v]), o, now);
    expect(plan.actions.map((a) => a.kind)).not.toContain('apply');
    expect(plan.upcoming!.length).toBeGreaterThan(0);
    for (const u of plan.upcoming!) expect(Date.parse(u.at)).toBeGreaterThan(now.getTime());
    expect(plan.upcoming!.find((u) => u.kind === 'snapshot')?.at).toBe('2026-11-21T12:00:00Z');
  });
});
