import { describe, expect, it } from 'vitest';

import { gridRule } from '../../../../reconciler/policy/retention/grid.js';
import { keepDaily } from '../../../../reconciler/policy/retention/keep-daily.js';
import { keepHourly } from '../../../../reconciler/policy/retention/keep-hourly.js';
import { keepLast } from '../../../../reconciler/policy/retention/keep-last.js';
import { keepMonthly } from '../../../../reconciler/policy/retention/keep-monthly.js';
import { keepWeekly } from '../../../../reconciler/policy/retention/keep-weekly.js';
import { keepYearly } from '../../../../reconciler/policy/retention/keep-yearly.js';
import type { RetentionRule, Snap } from '../../../../reconciler/policy/retention/rule.js';

const snap = (gid: number, iso: string): Snap => ({ gid, time: Date.parse(iso) });
const now = Date.parse('2026-11-21T12:00:00Z');
/** gid = hour index; hourly snapshots from 2026-11-20T00:00Z to 2026-11-21T11:00Z. */
const hourlySnaps = Array.from({ length: 36 }, (_, i) => ({ gid: i, time: Date.parse('2026-11-20T00:00:00Z') + i * 3600_000 }));
const kept = (rule: RetentionRule, snaps: Snap[]): number[] => [...rule.keep(snaps, now).keys()].sort((a, b) => a - b);

describe('retention rules, each on its own', () => {
  it.each([
    { name: 'keep-last keeps the N newest', rule: keepLast(3), snaps: hourlySnaps, keep: [33, 34, 35] },
    { name: 'keep-last with more than there are keeps all', rule: keepLast(5), snaps: hourlySnaps.slice(0, 2), keep: [0, 1] },
    { name: 'keep-hourly keeps the newest of each of the N newest hours', rule: keepHourly(2), snaps: [snap(1, '2026-11-21T10:05:00Z'), snap(2, '2026-11-21T10:45:00Z'), snap(3, '2026-11-21T11:10:00Z'), snap(4, '2026-11-21T11:20:00Z')], keep: [2, 4] },
    { name: 'keep-daily keeps the newest of each UTC day', rule: keepDaily(2), snaps: hourlySnaps, keep: [23, 35] },
    { name: 'keep-daily skips days without snapshots', rule: keepDaily(2), snaps: [snap(1, '2026-11-01T05:00:00Z'), snap(2, '2026-11-10T05:00:00Z'), snap(3, '2026-11-10T06:00:00Z')], keep: [1, 3] },
    { name: 'keep-weekly uses ISO weeks starting on Monday', rule: keepWeekly(2), snaps: [snap(1, '2026-11-15T23:00:00Z'), snap(2, '2026-11-16T01:00:00Z'), snap(3, '2026-11-21T01:00:00Z'), snap(4, '2026-11-08T01:00:00Z')], keep: [1, 3] },
    { name: 'keep-monthly keeps the newest of each month', rule: keepMonthly(2), snaps: [snap(1, '2026-09-30T00:00:00Z'), snap(2, '2026-10-01T00:00:00Z'), snap(3, '2026-10-31T00:00:00Z'), snap(4, '2026-11-02T00:00:00Z')], keep: [3, 4] },
    { name: 'keep-yearly keeps the newest of each year', rule: keepYearly(3), snaps: [snap(1, '2024-12-31T23:59:00Z'), snap(2, '2025-01-01T00:00:00Z'), snap(3, '2025-06-01T00:00:00Z'), snap(4, '2026-01-01T00:00:00Z')], keep: [1, 3, 4] },
    {
      name: 'a grid keeps every snapshot in a keep=all bucket and the oldest per bucket elsewhere',
      rule: gridRule([{ count: 1, periodSeconds: 3600, keep: 'all' }, { count: 2, periodSeconds: 7200, keep: 1 }]),
      snaps: [snap(1, '2026-11-21T11:10:00Z'), snap(2, '2026-11-21T11:50:00Z'), snap(3, '2026-11-21T09:30:00Z'), snap(4, '2026-11-21T10:30:00Z'), snap(5, '2026-11-21T07:10:00Z'), snap(6, '2026-11-21T06:00:00Z')],
      keep: [1, 2, 3, 5],
    },
    {
      name: 'a grid keeps snapshots dated after now and none older than the grid',
      rule: gridRule([{ count: 2, periodSeconds: 3600, keep: 1 }]),
      snaps: [snap(1, '2026-11-21T12:30:00Z'), snap(2, '2026-11-21T11:30:00Z'), snap(3, '2026-11-21T09:59:00Z')],
      keep: [1, 2],
    },
    { name: 'a grid with keep=2 keeps the two oldest in a bucket', rule: gridRule([{ count: 1, periodSeconds: 86400, keep: 2 }]), snaps: hourlySnaps.slice(20), keep: [20, 21] },
  ])('$name', ({ rule, snaps, keep }) => {
    expect(kept(rule, snaps)).toEqual(keep);
  });

  it('names itself the way reasons show it', () => {
    expect(gridRule([{ count: 1, periodSeconds: 3600, keep: 'all' }, { count: 24, periodSeconds: 3600, keep: 1 }, { count: 14, periodSeconds: 86400, keep: 1 }]).name).toBe('grid 1x1h(keep=all) | 24x1h | 14x1d');
    expect(keepWeekly(4).name).toBe('keep-weekly 4');
  });
});
