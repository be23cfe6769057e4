/**
 * What `walbctl check` compares with its thresholds, per volume, from the observed state alone (and
 * the declared volume): the recovery point's age, the most lagging replication target, the archive's
 * diff backlog and the wdev log ring's usage. The daemon exposes the same values on /metrics.
 * A value is null when this host cannot see it (the archive is on another host, no wdev).
 */
import type { ObservedVolume } from '../../common/observed.js';
import type { DesiredVolume } from '../model/desired.js';
import { replicationStatus } from '../daemon/replication-status.js';
import { toMs } from '../policy/time.js';

export interface HealthValues {
  /** The newest restorable snapshot, or for a wdev volume the newest archived write if newer. */
  recoveryPoint: { at: string; ageSeconds: number; source: 'snapshot' | 'archived-write' } | null;
  /** The replication target from this host furthest behind, and by how long. */
  replicationLag: { to: string; seconds: number; gids: number } | null;
  diffBacklog: { count: number; bytes: number } | null;
  /** Percent of the wdev's log ring in use. */
  logUsagePercent: number | null;
}

export function healthValues(host: string, volume: DesiredVolume | undefined, live: ObservedVolume | undefined, now: number): HealthValues {
  const archive = live?.archive && (live.archive.state === 'Archived' || live.archive.state === 'Stopped') ? live.archive : undefined;
  let recoveryPoint: HealthValues['recoveryPoint'] = null;
  if (archive) {
    let at: number | null = null;
    let iso = '';
    let source: 'snapshot' | 'archived-write' = 'snapshot';
    for (const r of archive.restorable) {
      const t = toMs(r.timestamp);
      if (at === null || t > at) [at, iso] = [t, r.timestamp];
    }
    if ((live?.storage?.capture ?? volume?.capture) === 'wdev') {
      for (const d of archive.diffs) {
        const t = toMs(d.timestamp);
        if (at === null || t > at) [at, iso, source] = [t, d.timestamp, 'archived-write'];
      }
    }
    if (at !== null) recoveryPoint = { at: iso, ageSeconds: Math.max(0, Math.round((now - at) / 1000)), source };
  } else if (live?.storage?.shipping?.recoveryPointSeconds != null) {
    // A wdev shipped to proxies, its archives elsewhere: the writes they may lack, as the proxies said.
    const age = live.storage.shipping.recoveryPointSeconds;
    recoveryPoint = { at: new Date(now - age * 1000).toISOString().replace(/\.\d+Z$/, 'Z'), ageSeconds: Math.round(age), source: 'archived-write' };
  }
  let replicationLag: HealthValues['replicationLag'] = null;
  for (const pair of replicationStatus(host, volume, archive)) {
    if (pair.lag && (replicationLag === null || pair.lag.seconds > replicationLag.seconds)) replicationLag = { to: pair.to, seconds: pair.lag.seconds, gids: pair.lag.gids };
  }
  const diffBacklog = archive ? { count: archive.diffs.length, bytes: archive.diffs.reduce((s, d) => s + d.dataSize, 0) } : null;
  const log = live?.storage?.log;
  const logUsagePercent = log && log.capacityPb > 0 ? Math.round((log.usagePb / log.capacityPb) * 1000) / 10 : null;
  return { recoveryPoint, replicationLag, diffBacklog, logUsagePercent };
}
