import { describe, expect, it } from 'vitest';

import type { ReplicationPair } from '../../../reconciler/model/desired.js';
import type { ObservedProxy } from '../../../common/observed.js';
import { replicationSteps } from '../../../reconciler/policy/replication.js';
import { TRANSPORT_BLOCKED } from '../../../reconciler/policy/step.js';
import { archive, volume } from '../plan/fixtures.js';

const now = Date.parse('2026-11-21T12:30:00Z');
const pair = (o: Partial<ReplicationPair> = {}): ReplicationPair => ({ from: 'local', to: 'dr-1', mode: 'async', schedule: { kind: 'every', everySeconds: 3600 }, compression: 'zstd', bandwidthLimitBytes: null, ...o });
const replica = (gid: number, replicatedAt: string) => ({ 'dr-1': { gid, timestamp: '2026-11-21T10:00:00Z', replicatedAt } });

function plan(pairs: ReplicationPair[], o: { replicas?: ReturnType<typeof replica>; proxy?: ObservedProxy; host?: string } = {}) {
  const v = volume({ replication: pairs, archives: [{ host: 'local', primary: true }, { host: 'dr-1', primary: false }] });
  return replicationSteps({ host: o.host ?? 'local', volume: v, archive: archive(0, [], { replicas: o.replicas ?? {} }), proxy: o.proxy, newestGid: 50, now });
}

describe('replicationSteps', () => {
  it.each([
    { name: 'replicates at once to a replica holding nothing', pairs: [pair()], o: {}, want: ['replicate'] },
    { name: 'replicates a replica that is behind when the schedule is due', pairs: [pair()], o: { replicas: replica(30, '2026-11-21T11:00:00Z') }, want: ['replicate'] },
    { name: 'waits for the schedule when the replica replicated this hour', pairs: [pair()], o: { replicas: replica(30, '2026-11-21T12:05:00Z') }, want: [] },
    { name: 'does nothing when the replica is up to date', pairs: [pair()], o: { replicas: replica(50, '2026-11-21T10:00:00Z') }, want: [] },
    { name: 'synchronizes a sync pair not yet forwarded by the proxy', pairs: [pair({ mode: 'sync', schedule: null })], o: { proxy: { state: 'Started', archives: ['local'] } }, want: ['synchronize'] },
    { name: 'leaves a synchronized pair alone', pairs: [pair({ mode: 'sync', schedule: null })], o: { proxy: { state: 'Started', archives: ['local', 'dr-1'] } }, want: [] },
    { name: 'stops synchronizing a host no sync pair declares', pairs: [], o: { proxy: { state: 'Started', archives: ['local', 'dr-1'] } }, want: ['stop-synchronize'] },
    { name: 'plans pairs only on their sending host', pairs: [pair()], o: { host: 'dr-1' }, want: [] },
  ])('$name', ({ pairs, o, want }) => {
    const steps = plan(pairs, o).steps;
    expect(steps.map((s) => s.kind)).toEqual(want);
    for (const s of steps) expect(s.blocked).toBe(TRANSPORT_BLOCKED);
  });

  it('carries the pair\'s positions and settings in the replicate parameters', () => {
    const [step] = plan([pair()], { replicas: replica(30, '2026-11-21T09:00:00Z') }).steps;
    expect(step!.params).toEqual({ to: 'dr-1', compression: 'zstd', bandwidthLimitBytes: null, fromGid: 30, toGid: 50 });
    expect(step!.reason).toMatch(/3 runs missed: one catch-up run/);
  });
});
