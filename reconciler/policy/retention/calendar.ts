/**
 * The shared core of the calendar keep-count rules (hourly, daily, weekly, monthly, yearly): keep the
 * newest snapshot in each of the N most recent calendar periods that hold a snapshot. Periods are UTC.
 * Unlike Proxmox, whose rules run in order and skip periods already covered, each rule here is
 * independent and the results are united: a snapshot goes only when no rule keeps it.
 */
import { newestFirst, type RetentionRule } from './rule.js';

/** The calendar period a time falls in, as a number: equal numbers mean the same period. */
export type PeriodKey = (time: number) => number;

export interface CalendarUnit {
  /** `hourly`, `daily`, …: how the rule is named. */
  unit: string;
  key: PeriodKey;
  label: (time: number) => string;
}

export function calendarRule(count: number, period: CalendarUnit): RetentionRule {
  const { unit, key, label } = period;
  // Reasons by period label, shared by every volume that declares this rule.
  const reasons = new Map<string, string>();
  const reason = (l: string): string => {
    let r = reasons.get(l);
    if (r === undefined) {
      r = `keep-${unit} ${count} (${l})`;
      if (reasons.size > 4096) reasons.clear();
      reasons.set(l, r);
    }
    return r;
  };
  return {
    name: `keep-${unit} ${count}`,
    keep(snaps) {
      const kept = new Map<number, string>();
      let last = Number.NaN;
      let periods = 0;
      for (const s of newestFirst(snaps)) {
        const k = key(s.time);
        if (k === last) continue;
        if (periods >= count) break;
        periods += 1;
        last = k;
        kept.set(s.gid, reason(label(s.time)));
      }
      return kept;
    },
  };
}

const HOUR = 3_600_000;
const DAY = 86_400_000;
const iso = (t: number): string => new Date(t).toISOString();

export const hourKey: PeriodKey = (t) => Math.floor(t / HOUR);
export const dayKey: PeriodKey = (t) => Math.floor(t / DAY);
export const monthKey: PeriodKey = (t) => {
  const d = new Date(t);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
};
export const yearKey: PeriodKey = (t) => new Date(t).getUTCFullYear();
/** ISO 8601 weeks start on Monday; 1970-01-01 was a Thursday, so shift by three days. */
export const weekKey: PeriodKey = (t) => Math.floor((Math.floor(t / DAY) + 3) / 7);

/** Labels per period, memoised by the period's number: a fleet's snapshots share periods. */
function memoLabel(key: PeriodKey, make: (t: number) => string): (t: number) => string {
  const memo = new Map<number, string>();
  return (t) => {
    const k = key(t);
    let label = memo.get(k);
    if (label === undefined) {
      label = make(t);
      if (memo.size > 4096) memo.clear();
      memo.set(k, label);
    }
    return label;
  };
}

export const hourLabel = memoLabel(hourKey, (t) => iso(t).slice(0, 13) + 'h');
export const dayLabel = memoLabel(dayKey, (t) => iso(t).slice(0, 10));
export const monthLabel = memoLabel(monthKey, (t) => iso(t).slice(0, 7));
export const yearLabel = memoLabel(yearKey, (t) => iso(t).slice(0, 4));

/** ISO 8601 week label, Monday first: `2026-W47`. */
export const weekLabel = memoLabel(weekKey, (t: number): string => {
  const d = new Date(t);
  const day = (d.getUTCDay() + 6) % 7; // Monday 0
  const thursday = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day + 3);
  const year = new Date(thursday).getUTCFullYear();
  const week = Math.floor((thursday - Date.UTC(year, 0, 1)) / (7 * DAY)) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
});
