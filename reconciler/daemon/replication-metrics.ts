/**
 * Per replication pair gauges (label `target`), read from the volume's status when scraped: where the
 * target stands, its lag in gids, bytes and seconds, the age of the last success, whether it is
 * failing or lagging past the volume's limit, and the progress of a transfer under way.
 */
import type { VolumeGauge, VolumeSample } from './metrics.js';
import type { PairStatus } from './replication-status.js';
import type { VolumeStatus } from './status-model.js';

function perPair(v: VolumeStatus, value: (p: PairStatus) => number | null): VolumeSample[] {
  const out: VolumeSample[] = [];
  for (const p of v.replication ?? []) {
    const x = value(p);
    if (x !== null) out.push({ labels: { target: p.to }, value: x });
  }
  return out;
}

const gauge = (name: string, help: string, value: (p: PairStatus, now: number) => number | null): VolumeGauge => ({
  name, help, labels: ['target'], samples: (v, now) => perPair(v, (p) => value(p, now)),
});

export const REPLICATION_GAUGES: readonly VolumeGauge[] = [
  gauge('walbctl_replication_target_gid', 'The gid last confirmed on the replication target.', (p) => p.targetGid),
  gauge('walbctl_replication_lag_gids', 'Gids the replication target lags behind the newest snapshot here.', (p) => p.lag?.gids ?? null),
  gauge('walbctl_replication_lag_bytes', 'Bytes of diffs newer than the replication target\'s gid.', (p) => p.lag?.bytes ?? null),
  gauge('walbctl_replication_lag_seconds', 'Seconds from the target\'s snapshot to the newest snapshot here.', (p) => p.lag?.seconds ?? null),
  gauge('walbctl_replication_last_success_age_seconds', 'Seconds since the last replication to the target finished.', (p, now) => (p.lastSuccessAt ? Math.max(0, (now - Date.parse(p.lastSuccessAt)) / 1000) : null)),
  gauge('walbctl_replication_failing', '1 while the last replication attempt to the target failed.', (p) => (p.lastError ? 1 : 0)),
  gauge('walbctl_replication_lagging', '1 while the target lags past the volume\'s replicationLimit (it is let go).', (p) => (p.lagging ? 1 : 0)),
  gauge('walbctl_replication_transfer_done_bytes', 'Bytes a replication under way has sent.', (p) => p.transfer?.doneBytes ?? null),
];
