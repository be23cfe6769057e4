/** `keepWeekly: N` keeps the newest snapshot of each of the N most recent UTC weeks that hold one. */
import { calendarRule, weekKey, weekLabel } from './calendar.js';
import type { RetentionRule } from './rule.js';

export function keepWeekly(count: number): RetentionRule {
  return calendarRule(count, { unit: 'weekly', key: weekKey, label: weekLabel });
}
