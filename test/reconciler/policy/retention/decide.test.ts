import { describe, expect, it } from 'vitest';

import { decideRetention } from '../../../../reconciler/policy/retention/decide.js';
import { keepDaily } from '../../../../reconciler/policy/retention/keep-daily.js';
import { keepLast } from '../../../../reconciler/policy/retention/keep-last.js';
import { rulesFrom } from '../../../../reconciler/policy/retention/rules-from.js';

const now = Date.parse('2026-11-21T12:00:00Z');
const snaps = Array.from({ length: 36 }, (_, i) => ({ gid: (i + 1) * 10, time: Date.parse('2026-11-20T00:00:00Z') + i * 3600_000 }));

describe('decideRetention', () => {
  it.each([
    { name: 'keeps everything when no rule is declared', rules: [], replicas: {}, drop: [] as number[] },
    { name: 'a snapshot goes only when no rule keeps it (rules are united)', rules: [keepLast(2), keepDaily(2)], replicas: {}, dropCount: 33, kept: [240, 350, 360] },
    { name: 'never drops the newest snapshot shared with a replica', rules: [keepLast(1)], replicas: { 'dr-1': 125 }, dropCount: 34, kept: [120, 360] },
    { name: 'a replica ahead of every snapshot pins the newest only', rules: [keepLast(1)], replicas: { 'dr-1': 999 }, dropCount: 35, kept: [360] },
  ])('$name', ({ rules, replicas, drop, dropCount, kept }) => {
    const d = decideRetention(snaps, rules, { now, replicas: replicas as Record<string, number> });
    if (drop) expect(d.drop).toEqual(drop);
    if (dropCount !== undefined) expect(d.drop).toHaveLength(dropCount);
    if (kept) expect([...d.keep.keys()].sort((a, b) => a - b)).toEqual(kept);
    for (const g of d.drop) expect(d.keep.has(g)).toBe(false);
    expect(d.drop.length + d.keep.size).toBe(snaps.length);
  });

  it('always keeps the newest snapshot, even when every rule would let it go', () => {
    const d = decideRetention(snaps, [keepDaily(0)], { now });
    expect(d.keep.get(360)).toEqual(['newest snapshot']);
    expect(d.drop).toHaveLength(35);
  });

  it('records every reason that keeps a snapshot', () => {
    const d = decideRetention(snaps, [keepLast(1), keepDaily(1)], { now, replicas: { 'dr-1': 360 } });
    expect(d.keep.get(360)).toEqual(['newest snapshot', 'newest snapshot shared with dr-1', 'keep-last 1 (#1)', 'keep-daily 1 (2026-11-21)']);
  });

  it('builds the rules a declared retention names, grid first', () => {
    const names = rulesFrom({ grid: [{ count: 24, periodSeconds: 3600, keep: 1 }], keepLast: 3, keepMonthly: 6 }).map((r) => r.name);
    expect(names).toEqual(['grid 24x1h', 'keep-last 3', 'keep-monthly 6']);
  });
});
