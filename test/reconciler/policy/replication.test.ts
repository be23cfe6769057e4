import { describe, expect, it } from 'vitest';

import type { ReplicationPair } from '../../../reconciler/model/desired.js';
import type { ObservedProxy } from '../../../common/observed.js';
import { replicaHold } from '../../../reconciler/policy/replica-hold.js';
import { REPLICATE_BLOCKED, replicationSteps, SYNC_BLOCKED } from '../../../reconciler/policy/replication.js';
import { archive, diff, volume } from '../plan/fixtures.js';

const now = Date.parse('2026-11-21T12:30:00Z');
const pair = (o: Partial<ReplicationPair> = {}): ReplicationPair => ({ from: 'local', to: 'dr-1', mode: 'async', schedule: { kind: 'every', everySeconds: 3600 }, compression: 'zstd', bandwidthLimitBytes: null, ...o });
const replica = (gid: number, replicatedAt: string) => ({ 'dr-1': { gid, timestamp: '2026-11-21T10:00:00Z', replicatedAt } });
/** Diffs 0 → 10 → … → 50, explicit snapshots at every end. */
const chain = [0, 10, 20, 30, 40].map((b, i) => diff(b, b + 10, 30 + i));

function plan(pairs: ReplicationPair[], o: { replicas?: ReturnType<typeof replica>; proxy?: ObservedProxy; host?: string; base?: number } = {}) {
  const v = volume({ replication: pairs, archives: [{ host: 'local', primary: true }, { host: 'dr-1', primary: false }] });
  const diffs = chain.filter((d) => d.b.b >= (o.base ?? 0));
  const a = archive(o.base ?? 0, diffs, { replicas: o.replicas ?? {}, explicit: [10, 20, 30, 40, 50] });
  const host = o.host ?? 'local';
  const hold = replicaHold({ host, volume: v, archive: a, diffs, newestGid: 50 });
  return replicationSteps({ host, volume: v, archive: a, proxy: o.proxy, newestGid: 50, hold, now });
}

describe('replicationSteps', () => {
  it.each([
    { name: 'replicates at once to a replica holding nothing', pairs: [pair()], o: {}, want: ['replicate'] },
    { name: 'replicates a replica that is behind when the schedule is due', pairs: [pair()], o: { replicas: replica(30, '2026-11-21T11:00:00Z') }, want: ['replicate'] },
    { name: 'waits for the schedule when the replica replicated this hour', pairs: [pair()], o: { replicas: replica(30, '2026-11-21T12:05:00Z') }, want: [] },
    { name: 'does nothing when the replica is up to date', pairs: [pair()], o: { replicas: replica(50, '2026-11-21T10:00:00Z') }, want: [] },
    { name: 'synchronizes a sync pair not yet forwarded by the proxy', pairs: [pair({ mode: 'sync', schedule: null })], o: { proxy: { state: 'Started', archives: ['local'] } }, want: ['synchronize'] },
    { name: 'leaves a synchronized pair alone', pairs: [pair({ mode: 'sync', schedule: null })], o: { proxy: { state: 'Started', archives: ['local', 'dr-1'] } }, want: [] },
    { name: 'synchronizes a sync pair on another host\'s proxies when the target holds no copy from here', pairs: [pair({ mode: 'sync', schedule: null })], o: {}, want: ['synchronize'] },
    { name: 'catches a sync target up at once (no schedule) when it lags', pairs: [pair({ mode: 'sync', schedule: null })], o: { replicas: replica(30, '2026-11-21T12:05:00Z') }, want: ['synchronize'] },
    { name: 'leaves a sync target that holds the newest gid alone (the proxies forward to it)', pairs: [pair({ mode: 'sync', schedule: null })], o: { replicas: replica(50, '2026-11-21T12:05:00Z') }, want: [] },
    { name: 'stops synchronizing a host no sync pair declares', pairs: [], o: { proxy: { state: 'Started', archives: ['local', 'dr-1'] } }, want: ['stop-synchronize'] },
    { name: 'plans pairs only on their sending host', pairs: [pair()], o: { host: 'dr-1' }, want: [] },
    { name: 'releases the cursor of a pair removed from the tree', pairs: [], o: { replicas: replica(30, '2026-11-21T11:00:00Z') }, want: ['release-replica'] },
  ])('$name', ({ pairs, o, want }) => {
    const steps = plan(pairs, o as Parameters<typeof plan>[1]).steps;
    expect(steps.map((s) => s.kind)).toEqual(want);
    for (const s of steps) {
      if (s.kind === 'replicate') expect(s.blocked).toBe(REPLICATE_BLOCKED);
      if (s.kind === 'synchronize' || s.kind === 'stop-synchronize') expect(s.blocked).toBe(SYNC_BLOCKED);
      if (s.kind === 'release-replica') expect(s.blocked ?? null).toBe(null);
    }
  });

  it('carries the pair\'s positions, settings and the predicted kind in the replicate parameters', () => {
    const [step] = plan([pair()], { replicas: replica(30, '2026-11-21T09:00:00Z') }).steps;
    expect(step!.params).toEqual({ to: 'dr-1', compression: 'zstd', bandwidthLimitBytes: null, method: 'diff', fromGid: 30, toGid: 50 });
    expect(step!.reason).toMatch(/3 runs missed: one catch-up run/);
  });

  it.each([
    { name: 'predicts a diff replication while the source holds the diffs after the cursor', base: 0, gid: 30, method: 'diff' },
    { name: 'predicts a hash replication when the source applied past the cursor', base: 40, gid: 30, method: 'hash' },
    { name: 'predicts a diff replication when a diff of the source spans the cursor (a merge crossed it: the merged diff applies there)', base: 0, gid: 25, method: 'diff' },
  ])('$name', ({ base, gid, method }) => {
    const [step] = plan([pair()], { base, replicas: replica(gid, '2026-11-21T09:00:00Z') }).steps;
    expect(step!.params.method).toBe(method);
  });

  it('leaves the kind to the transfer when the target holds no confirmed copy (it reports where it stands)', () => {
    const [step] = plan([pair()]).steps;
    expect(step!.params).toMatchObject({ method: null, fromGid: null, toGid: 50 });
  });
});
