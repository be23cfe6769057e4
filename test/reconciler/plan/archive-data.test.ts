import { describe, expect, it } from 'vitest';

import type { ReplicationLimit, ReplicationPair } from '../../../reconciler/model/desired.js';
import { archiveData } from '../../../reconciler/plan/archive-data.js';
import { archive, diff, volume } from './fixtures.js';

const now = Date.parse('2026-11-22T12:00:00Z');
const pair = (to: string): ReplicationPair => ({ from: 'local', to, mode: 'async', schedule: { kind: 'every', everySeconds: 3600 }, compression: 'zstd', bandwidthLimitBytes: null });
/** Hourly explicit snapshots 10 … 200, 1000 bytes per diff. */
const chain = Array.from({ length: 20 }, (_, i) => diff(10 * i, 10 * (i + 1), i));
const explicit = chain.map((d) => d.e.b);

function run(o: { pairs: string[]; replicas: Record<string, number>; limit?: Partial<ReplicationLimit>; apply?: boolean }) {
  const v = volume({
    retention: { grid: null, keepLast: 2 },
    apply: o.apply ? { olderThanSeconds: 3600 } : null,
    replication: o.pairs.map(pair),
    replicationLimit: o.limit ? { bytes: null, gids: null, ageSeconds: null, ...o.limit } : null,
  });
  const replicas = Object.fromEntries(Object.entries(o.replicas).map(([h, gid]) => [h, { gid, timestamp: chain[gid / 10 - 1]!.timestamp }]));
  return archiveData(v, archive(0, chain, { explicit, replicas }), { host: 'local', now });
}

/** The lowest gid any merge or apply of the plan reaches past (merges cross gidB..gidE, apply folds to gid). */
function crossed(plan: ReturnType<typeof run>): number[] {
  const out: number[] = [];
  for (const s of plan.steps) {
    if (s.kind === 'merge') out.push(...((s.params.drops as number[] | undefined) ?? []));
    if (s.kind === 'apply') for (let g = 10; g < (s.params.gid as number); g += 10) out.push(g);
  }
  return out;
}

describe('archiveData with replica cursors: retention never strands a declared replica', () => {
  it.each([
    { name: 'merges never cross the slowest declared target\'s cursor', pairs: ['ar-2', 'ar-3'], replicas: { 'ar-2': 150, 'ar-3': 60 }, apply: false, kept: 60 },
    { name: 'apply stops at the slowest declared target\'s cursor', pairs: ['ar-2', 'ar-3'], replicas: { 'ar-2': 150, 'ar-3': 60 }, apply: true, kept: 60 },
  ])('$name', ({ pairs, replicas, apply, kept }) => {
    const plan = run({ pairs, replicas, apply });
    expect(crossed(plan)).not.toContain(kept);
    expect(plan.chain.diffs.some((d) => d.b.b === kept)).toBe(true);
    expect(plan.warnings.join('\n')).toContain(`retention keeps snapshot ${kept} only for replica ar-3`);
  });

  it('a target let go past replicationLimit no longer holds retention back, and the plan says so', () => {
    const plan = run({ pairs: ['ar-2'], replicas: { 'ar-2': 60 }, limit: { gids: 100 } });
    expect(crossed(plan)).toContain(60);
    expect(plan.warnings.join('\n')).toMatch(/replica ar-2 is let go: it lags 140 gids, past replicationLimit.gids \(100\).*hash replication/);
  });

  it('a cursor whose pair left the tree holds nothing back', () => {
    const plan = run({ pairs: [], replicas: { 'ar-2': 60 } });
    expect(crossed(plan)).toContain(60);
    expect(plan.hold.released).toEqual(['ar-2']);
  });
});
