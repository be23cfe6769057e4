/**
 * The shared core of the calendar keep-count rules (hourly, daily, weekly, monthly, yearly): keep the
 * newest snapshot in each of the N most recent calendar periods that hold a snapshot. Periods are UTC.
 * Unlike Proxmox, whose rules run in order and skip periods already covered, each rule here is
 * independent and the results are united: a snapshot goes only when no rule keeps it.
 */
import { newestFirst, type RetentionRule } from './rule.js';

export type PeriodKey = (time: number) => string;

export function calendarRule(unit: string, count: number, key: PeriodKey): RetentionRule {
  return {
    name: `keep-${unit} ${count}`,
    keep(snaps) {
      const kept = new Map<number, string>();
      const seen = new Set<string>();
      for (const s of newestFirst(snaps)) {
        if (seen.size >= count) break;
        const k = key(s.time);
        if (seen.has(k)) continue;
        seen.add(k);
        kept.set(s.gid, `keep-${unit} ${count} (${k})`);
      }
      return kept;
    },
  };
}

const iso = (t: number): string => new Date(t).toISOString();

export const hourKey: PeriodKey = (t) => iso(t).slice(0, 13) + 'h';
export const dayKey: PeriodKey = (t) => iso(t).slice(0, 10);
export const monthKey: PeriodKey = (t) => iso(t).slice(0, 7);
export const yearKey: PeriodKey = (t) => iso(t).slice(0, 4);

/** ISO 8601 week, Monday first: `2026-W47`. */
export const weekKey: PeriodKey = (t) => {
  const d = new Date(t);
  const day = (d.getUTCDay() + 6) % 7; // Monday 0
  const thursday = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day + 3);
  const year = new Date(thursday).getUTCFullYear();
  const week = Math.floor((thursday - Date.UTC(year, 0, 1)) / (7 * 86400000)) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
};
