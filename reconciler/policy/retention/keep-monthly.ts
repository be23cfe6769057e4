/** `keepMonthly: N` keeps the newest snapshot of each of the N most recent UTC months that hold one. */
import { calendarRule, monthKey, monthLabel } from './calendar.js';
import type { RetentionRule } from './rule.js';

export function keepMonthly(count: number): RetentionRule {
  return calendarRule(count, { unit: 'monthly', key: monthKey, label: monthLabel });
}
