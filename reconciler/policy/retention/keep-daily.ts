/** `keepDaily: N` keeps the newest snapshot of each of the N most recent UTC days that hold one. */
import { calendarRule, dayKey, dayLabel } from './calendar.js';
import type { RetentionRule } from './rule.js';

export function keepDaily(count: number): RetentionRule {
  return calendarRule(count, { unit: 'daily', key: dayKey, label: dayLabel });
}
