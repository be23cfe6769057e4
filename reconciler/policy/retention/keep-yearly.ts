/** `keepYearly: N` keeps the newest snapshot of each of the N most recent UTC years that hold one. */
import { calendarRule, yearKey, yearLabel } from './calendar.js';
import type { RetentionRule } from './rule.js';

export function keepYearly(count: number): RetentionRule {
  return calendarRule(count, { unit: 'yearly', key: yearKey, label: yearLabel });
}
