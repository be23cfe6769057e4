import { describe, expect, it } from 'vitest';

import type { ReplicationLimit, ReplicationPair } from '../../../reconciler/model/desired.js';
import { replicaHold } from '../../../reconciler/policy/replica-hold.js';
import { archive, diff, volume } from '../plan/fixtures.js';

const pair = (to: string, o: Partial<ReplicationPair> = {}): ReplicationPair => ({ from: 'local', to, mode: 'async', schedule: { kind: 'every', everySeconds: 3600 }, compression: 'zstd', bandwidthLimitBytes: null, ...o });
/** Diffs 0 → 10 → … → 100, 1000 bytes each, one hour apart from hour 0. */
const chain = Array.from({ length: 10 }, (_, i) => diff(10 * i, 10 * (i + 1), i));
const cursor = (gid: number) => ({ gid, timestamp: chain.find((d) => d.e.b === gid)?.timestamp ?? '2026-11-19T23:00:00Z' });
const limit = (o: Partial<ReplicationLimit>): ReplicationLimit => ({ bytes: null, gids: null, ageSeconds: null, ...o });

function decide(o: { pairs: ReplicationPair[]; replicas: Record<string, number>; limit?: ReplicationLimit | null; base?: number; archives?: { host: string; primary: boolean }[] }) {
  const v = volume({ replication: o.pairs, replicationLimit: o.limit ?? null, archives: o.archives ?? [{ host: 'local', primary: true }] });
  const diffs = chain.filter((d) => d.b.b >= (o.base ?? 0));
  const replicas = Object.fromEntries(Object.entries(o.replicas).map(([h, g]) => [h, cursor(g)]));
  return replicaHold({ host: 'local', volume: v, archive: archive(o.base ?? 0, diffs, { replicas }), diffs, newestGid: 100 });
}

describe('replicaHold: which replicas hold diffs back', () => {
  it.each([
    { name: 'a declared target within no limit is held at its cursor', pairs: [pair('ar-2')], replicas: { 'ar-2': 40 }, held: { 'ar-2': 40 }, letGo: [], released: [] },
    { name: 'every declared target is held (the slowest one bounds merge and apply)', pairs: [pair('ar-2'), pair('ar-3')], replicas: { 'ar-2': 40, 'ar-3': 70 }, held: { 'ar-2': 40, 'ar-3': 70 }, letGo: [], released: [] },
    { name: 'a target lagging past replicationLimit.bytes is let go', pairs: [pair('ar-2')], replicas: { 'ar-2': 40 }, limit: limit({ bytes: 5000 }), held: {}, letGo: ['ar-2'], released: [] },
    { name: 'a target within replicationLimit.bytes stays held', pairs: [pair('ar-2')], replicas: { 'ar-2': 40 }, limit: limit({ bytes: 6000 }), held: { 'ar-2': 40 }, letGo: [], released: [] },
    { name: 'a target lagging past replicationLimit.gids is let go', pairs: [pair('ar-2')], replicas: { 'ar-2': 40 }, limit: limit({ gids: 59 }), held: {}, letGo: ['ar-2'], released: [] },
    { name: 'a target lagging past replicationLimit.age is let go', pairs: [pair('ar-2')], replicas: { 'ar-2': 40 }, limit: limit({ ageSeconds: 5 * 3600 }), held: {}, letGo: ['ar-2'], released: [] },
    { name: 'only the lagging target is let go; the other stays held', pairs: [pair('ar-2'), pair('ar-3')], replicas: { 'ar-2': 20, 'ar-3': 90 }, limit: limit({ gids: 50 }), held: { 'ar-3': 90 }, letGo: ['ar-2'], released: [] },
    { name: 'a target whose cursor the base already passed is let go', pairs: [pair('ar-2')], replicas: { 'ar-2': 20 }, base: 30, held: {}, letGo: ['ar-2'], released: [] },
    { name: 'a cursor of a pair removed from the tree is released', pairs: [], replicas: { 'ar-2': 40 }, held: {}, letGo: [], released: ['ar-2'] },
    { name: 'a pair sending from another host holds nothing here', pairs: [pair('ar-2', { from: 'ar-3' })], replicas: { 'ar-2': 40 }, held: {}, letGo: [], released: ['ar-2'] },
  ])('$name', ({ pairs, replicas, limit: l, base, held, letGo, released }) => {
    const d = decide({ pairs, replicas: replicas as Record<string, number>, limit: l, base });
    expect(d.held).toEqual(held);
    expect(d.standings.filter((s) => s.letGo !== null).map((s) => s.to)).toEqual(letGo);
    expect(d.released).toEqual(released);
  });

  it('measures lag in gids, bytes of the diffs after the cursor, and seconds to the newest snapshot', () => {
    const [s] = decide({ pairs: [pair('ar-2')], replicas: { 'ar-2': 40 } }).standings;
    expect(s!.lag).toEqual({ gids: 60, bytes: 6000, seconds: 6 * 3600 });
  });

  it('names the limit that let a target go', () => {
    const [s] = decide({ pairs: [pair('ar-2')], replicas: { 'ar-2': 40 }, limit: limit({ bytes: 4096 }) }).standings;
    expect(s!.letGo).toBe('it lags 5.9 KiB of diffs, past replicationLimit.bytes (4 KiB)');
  });

  it('holds the cursor of the new primary until the old primary has handed over (a failover commit)', () => {
    const d = decide({ pairs: [pair('local', { from: 'ar-2' })], replicas: { 'ar-2': 40 }, archives: [{ host: 'ar-2', primary: true }, { host: 'local', primary: false }] });
    expect(d).toMatchObject({ held: { 'ar-2': 40 }, released: ['ar-2'], handOver: ['ar-2'] });
  });
});
