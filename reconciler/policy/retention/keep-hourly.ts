/** `keepHourly: N` keeps the newest snapshot of each of the N most recent UTC hours that hold one. */
import { calendarRule, hourKey, hourLabel } from './calendar.js';
import type { RetentionRule } from './rule.js';

export function keepHourly(count: number): RetentionRule {
  return calendarRule(count, { unit: 'hourly', key: hourKey, label: hourLabel });
}
