/**
 * Snapshots and retention: a snapshot schedule is `every` or `cron` (exactly one); a retention
 * policy keeps at least one snapshot; an apply point lies beyond what retention must keep
 * restorable (applying folds older diffs into the base, after which those snapshots are gone).
 */
import { formatDuration } from '../../util/duration.js';
import type { Fleet } from '../fleet.js';
import type { RawVolume } from '../raw-types.js';
import { durationSeconds, gridSpan } from '../units.js';

const HOUR = 3600;
const DAY = 86_400;
/** The longest each count can reach back (a month up to 31 days, a year up to 366). */
const REACH: Array<[keyof NonNullable<RawVolume['retention']>, number]> = [
  ['keepHourly', HOUR],
  ['keepDaily', DAY],
  ['keepWeekly', 7 * DAY],
  ['keepMonthly', 31 * DAY],
  ['keepYearly', 366 * DAY],
];

export function checkRetention(fleet: Fleet): void {
  for (const { host, name, volume } of fleet.volumes()) {
    const at = (...rest: string[]): string[] => ['volumes', name, ...rest];
    const snapshots = volume.snapshots ?? {};
    if ((snapshots.every === undefined) === (snapshots.cron === undefined)) {
      fleet.report(host, at('snapshots'), snapshots.every === undefined ? 'needs a schedule: every or cron' : 'set either every or cron, not both (use !override to replace a template\'s schedule)');
    }
    const retention = volume.retention;
    if (!retention) continue;
    const keepsByCount = ['keepLast', ...REACH.map(([k]) => k)].some((k) => (retention[k as keyof typeof retention] as number | undefined ?? 0) > 0);
    if (!keepsByCount && retention.grid === undefined) {
      fleet.report(host, at('retention'), 'keeps no snapshot: set a grid or a keep count above 0');
      continue;
    }
    const reach = horizon(volume);
    const olderThan = volume.apply?.olderThan;
    if (olderThan !== undefined && reach && durationSeconds(olderThan) < reach.seconds) {
      fleet.report(host, at('apply', 'olderThan'), `${olderThan} falls inside what retention must keep restorable (${formatDuration(reach.seconds)}, from retention.${reach.rule}): make it at least ${formatDuration(reach.seconds)}`);
    }
  }
}

/** How far back retention must keep snapshots restorable, and which rule reaches furthest. */
export function horizon(volume: RawVolume): { seconds: number; rule: string } | null {
  const retention = volume.retention ?? {};
  let best: { seconds: number; rule: string } | null = null;
  const consider = (seconds: number, rule: string): void => {
    if (seconds > 0 && (!best || seconds > best.seconds)) best = { seconds, rule };
  };
  if (retention.grid !== undefined) consider(gridSpan(retention.grid), 'grid');
  for (const [key, period] of REACH) consider((retention[key] as number | undefined ?? 0) * period, key);
  if (retention.keepLast && volume.snapshots?.every !== undefined) consider(retention.keepLast * durationSeconds(volume.snapshots.every), 'keepLast');
  return best;
}
