/**
 * Snapshot and replication schedules, UTC. A schedule is a sequence of fire times; a run is due when
 * a fire time passed since the last run. However many fire times were missed (the daemon was down),
 * the answer is one catch-up run, never a backfill: `missed` only says how many for the reason line.
 */
import type { Schedule } from '../model/desired.js';
import { nextCronTime, parseCron, type CronSpec } from '../util/cron.js';

/** The first fire time strictly after `after` (ms since the epoch, UTC). */
export type NextFire = (after: number) => number;

export interface ScheduleDecision {
  due: boolean;
  /** Fire times that passed since the last run (0 when not due, or when there was no last run). */
  missed: number;
  /** The next fire time after `now`. */
  nextAt: number;
}

/** `every N s`: fire times are the multiples of N seconds since the epoch, so `every: 1h` fires on the hour. */
export function everyFire(everySeconds: number): NextFire {
  const period = everySeconds * 1000;
  return (after) => (Math.floor(after / period) + 1) * period;
}

const parsed = new Map<string, CronSpec>();
/** Next fire time by whole minute, per expression: a fleet's volumes share `now` and often `last`. */
const memos = new Map<string, Map<number, number>>();

/** A five-field cron expression, UTC (reconciler/util/cron.ts). Parsed once per expression; cron fires on
 *  whole minutes, so the next fire time after any instant of a minute is the same and is memoised. */
export function cronFire(expr: string): NextFire {
  let spec = parsed.get(expr);
  if (!spec) {
    spec = parseCron(expr);
    parsed.set(expr, spec);
  }
  const s = spec;
  const memo = memos.get(expr) ?? new Map<number, number>();
  memos.set(expr, memo);
  return (after) => {
    const minute = Math.floor(after / 60_000);
    let next = memo.get(minute);
    if (next === undefined) {
      next = nextCronTime(s, new Date(after)).getTime();
      if (memo.size > 10_000) memo.clear();
      memo.set(minute, next);
    }
    return next;
  };
}

export function fireFor(schedule: Schedule): NextFire {
  return schedule.kind === 'every' ? everyFire(schedule.everySeconds) : cronFire(schedule.cron);
}

/** `every 1 h`, `cron 0 3 * * *`: how a schedule shows in reasons. */
export function describeSchedule(schedule: Schedule): string {
  if (schedule.kind === 'cron') return `cron "${schedule.cron}"`;
  const s = schedule.everySeconds;
  for (const [size, unit] of [[86400, 'd'], [3600, 'h'], [60, 'min']] as const) {
    if (s % size === 0) return `every ${s / size} ${unit}`;
  }
  return `every ${s} s`;
}

const MAX_COUNTED = 1000;

/** Is a run due at `now` when the last one was at `last` (null: never ran)? */
export function scheduleDue(next: NextFire, at: { last: number | null; now: number }): ScheduleDecision {
  const { last, now } = at;
  const nextAt = next(now);
  if (last === null) return { due: true, missed: 0, nextAt };
  let t = next(last);
  let missed = 0;
  while (t <= now && missed < MAX_COUNTED) {
    missed += 1;
    t = next(t);
  }
  return { due: missed > 0, missed, nextAt };
}
