/**
 * The thresholds a volume is checked against: a flag of `walbctl check` first, then the volume's
 * `check:` in the tree, then the defaults — the recovery point may be 2 (warning) and 4 (critical)
 * snapshot intervals old, the log ring 80 % and 95 % full; replication lag and diff backlog are
 * checked only where set.
 */
import type { CheckThresholds, DesiredVolume, ThresholdPair } from '../model/desired.js';
import { fireFor } from '../policy/schedule.js';

export type CheckName = 'recoveryPointAge' | 'replicationLag' | 'diffBacklog' | 'logUsage';

export const CHECKS: readonly { name: CheckName; key: keyof CheckThresholds; metric: string }[] = [
  { name: 'recoveryPointAge', key: 'recoveryPointAgeSeconds', metric: 'recovery_point_age' },
  { name: 'replicationLag', key: 'replicationLagSeconds', metric: 'replication_lag' },
  { name: 'diffBacklog', key: 'diffBacklogBytes', metric: 'diff_backlog' },
  { name: 'logUsage', key: 'logUsagePercent', metric: 'log_usage' },
];

export type Thresholds = Record<CheckName, ThresholdPair>;

const NONE: ThresholdPair = { warning: null, critical: null };

/** The snapshot schedule's period now: `every`, or the gap between a cron's next two fire times. */
export function snapshotPeriodSeconds(volume: DesiredVolume, now: number): number {
  const schedule = volume.snapshots.schedule;
  if (schedule.kind === 'every') return schedule.everySeconds;
  const fire = fireFor(schedule);
  const next = fire(now);
  return Math.round((fire(next) - next) / 1000);
}

export function thresholdsFor(volume: DesiredVolume, options: { now: number; flags?: CheckThresholds }): Thresholds {
  const period = snapshotPeriodSeconds(volume, options.now);
  const defaults: Thresholds = {
    recoveryPointAge: { warning: 2 * period, critical: 4 * period },
    replicationLag: NONE,
    diffBacklog: NONE,
    logUsage: { warning: 80, critical: 95 },
  };
  const out = { ...defaults };
  for (const c of CHECKS) {
    const tree = volume.check?.[c.key];
    const flag = options.flags?.[c.key];
    out[c.name] = {
      warning: flag?.warning ?? tree?.warning ?? defaults[c.name].warning,
      critical: flag?.critical ?? tree?.critical ?? defaults[c.name].critical,
    };
  }
  return out;
}
