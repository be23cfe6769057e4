import { describe, expect, it } from 'vitest';

import type { ObservedReplica } from '../../../common/observed.js';
import type { ReplicationPair } from '../../../reconciler/model/desired.js';
import { DaemonMetrics } from '../../../reconciler/daemon/metrics.js';
import { laggingCondition, replicationStatus } from '../../../reconciler/daemon/replication-status.js';
import { emptyVolumeStatus, type DaemonStatus } from '../../../reconciler/daemon/status-model.js';
import { StatusStore } from '../../../reconciler/daemon/status-store.js';
import { archive, diff, volume } from '../plan/fixtures.js';

const pair = (to: string, mode: 'async' | 'sync' = 'async'): ReplicationPair => ({ from: 'local', to, mode, schedule: mode === 'sync' ? null : { kind: 'every', everySeconds: 3600 }, compression: 'zstd', bandwidthLimitBytes: null });
/** Diffs 0 → 10 → … → 100, 1000 bytes each, an hour apart. */
const chain = Array.from({ length: 10 }, (_, i) => diff(10 * i, 10 * (i + 1), i));
const at = (gid: number) => chain[gid / 10 - 1]!.timestamp;

function statusOf(replicas: Record<string, ObservedReplica>, limitGids: number | null = null) {
  const v = volume({ replication: [pair('ar-2'), pair('ar-3', 'sync'), pair('ar-4')], replicationLimit: limitGids === null ? null : { bytes: null, gids: limitGids, ageSeconds: null } });
  return replicationStatus('local', v, archive(0, chain, { replicas }));
}

describe('replication status per pair', () => {
  const replicas: Record<string, ObservedReplica> = {
    'ar-2': { gid: 40, timestamp: at(40), replicatedAt: '2026-11-20T04:10:00Z', lastKind: 'diff', lastError: { message: 'ar-2: connection refused', at: '2026-11-20T09:00:00Z' } },
    'ar-3': { gid: 100, timestamp: at(100), replicatedAt: '2026-11-20T09:05:00Z', lastKind: 'full', transfer: { kind: 'diff', toGid: 100, startedAt: '2026-11-20T09:00:00Z', doneBytes: 10, totalBytes: 20 } },
  };

  it('gives mode, target gid, lag in gids, bytes and seconds, last success, last error and the transfer under way', () => {
    expect(statusOf(replicas)).toEqual([
      { to: 'ar-2', mode: 'async', targetGid: 40, lag: { gids: 60, bytes: 6000, seconds: 6 * 3600 }, lastSuccessAt: '2026-11-20T04:10:00Z', lastKind: 'diff', lastError: { message: 'ar-2: connection refused', at: '2026-11-20T09:00:00Z' }, transfer: null, lagging: null },
      { to: 'ar-3', mode: 'sync', targetGid: 100, lag: { gids: 0, bytes: 0, seconds: 0 }, lastSuccessAt: '2026-11-20T09:05:00Z', lastKind: 'full', lastError: null, transfer: replicas['ar-3']!.transfer, lagging: null },
      { to: 'ar-4', mode: 'async', targetGid: null, lag: null, lastSuccessAt: null, lastKind: null, lastError: null, transfer: null, lagging: null },
    ]);
  });

  it('sets ReplicationLagging True, naming the target and the limit, only past the volume\'s limit', () => {
    const within = laggingCondition(statusOf(replicas, 60), { previous: [], now: 't0' });
    expect(within).toMatchObject({ type: 'ReplicationLagging', status: 'False', reason: 'ReplicasWithinLimit' });
    const past = laggingCondition(statusOf(replicas, 50), { previous: [within!], now: 't1' });
    expect(past).toEqual({ type: 'ReplicationLagging', status: 'True', reason: 'ReplicaPastLimit', message: 'ar-2: it lags 60 gids, past replicationLimit.gids (50)', lastTransitionTime: 't1' });
  });

  it('gives no ReplicationLagging condition to a volume that replicates nothing from this host', () => {
    expect(laggingCondition(replicationStatus('local', volume(), archive(0, chain)), { previous: [], now: 't' })).toBeNull();
  });

  it('keeps ReplicationLagging when the volume\'s outcome sets the other conditions', () => {
    const store = new StatusStore(daemonStatus());
    store.setReplication('demo', 'local/demo', statusOf(replicas, 50), new Date('2026-11-21T10:00:00Z'));
    store.setOutcome('demo', 'local/demo', { kind: 'succeeded', message: 'ok' }, new Date('2026-11-21T10:00:01Z'));
    expect(store.status.volumes.demo!.conditions.map((c) => `${c.type}=${c.status}`)).toEqual(['Ready=True', 'Reconciling=False', 'Stalled=False', 'ReplicationLagging=True']);
  });

  it('exports each pair as Prometheus gauges labelled by target', async () => {
    const s = daemonStatus();
    s.volumes.demo = { ...emptyVolumeStatus('local/demo'), replication: statusOf(replicas, 50) };
    const text = await new DaemonMetrics({ status: () => s, now: () => Date.parse('2026-11-20T10:00:00Z') }, { processMetrics: false }).render();
    expect(text).toContain('walbctl_replication_target_gid{host="local",volume="demo",target="ar-2"} 40');
    expect(text).toContain('walbctl_replication_lag_gids{host="local",volume="demo",target="ar-2"} 60');
    expect(text).toContain('walbctl_replication_lag_bytes{host="local",volume="demo",target="ar-2"} 6000');
    expect(text).toContain('walbctl_replication_lag_seconds{host="local",volume="demo",target="ar-2"} 21600');
    expect(text).toContain('walbctl_replication_last_success_age_seconds{host="local",volume="demo",target="ar-2"} 21000');
    expect(text).toContain('walbctl_replication_failing{host="local",volume="demo",target="ar-2"} 1');
    expect(text).toContain('walbctl_replication_lagging{host="local",volume="demo",target="ar-2"} 1');
    expect(text).toContain('walbctl_replication_lagging{host="local",volume="demo",target="ar-3"} 0');
    expect(text).toContain('walbctl_replication_transfer_done_bytes{host="local",volume="demo",target="ar-3"} 10');
    expect(text).not.toContain('walbctl_replication_target_gid{host="local",volume="demo",target="ar-4"}');
  });
});

function daemonStatus(): DaemonStatus {
  return {
    formatVersion: 1, host: 'local', pid: 1, startedAt: '2026-11-21T09:00:00.000Z',
    source: { repo: '.', branch: 'main', workdir: '/w', revision: null, subject: null, fetchedAt: null, error: null },
    desired: { lastGoodRevision: null, lastAttemptedRevision: null, valid: true, diagnostics: [] },
    lastPassAt: null, nextPassAt: null, running: null, volumes: {},
  };
}
