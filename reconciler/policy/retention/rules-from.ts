/** The rules a volume's declared retention stands for, in the order reasons list them. */
import type { Retention } from '../../model/desired.js';
import { gridRule } from './grid.js';
import { keepDaily } from './keep-daily.js';
import { keepHourly } from './keep-hourly.js';
import { keepLast } from './keep-last.js';
import { keepMonthly } from './keep-monthly.js';
import { keepWeekly } from './keep-weekly.js';
import { keepYearly } from './keep-yearly.js';
import type { RetentionRule } from './rule.js';

const cache = new Map<string, RetentionRule[]>();

/** Rules are pure values: volumes declaring the same retention (a shared template) share them. */
export function rulesFrom(retention: Retention): RetentionRule[] {
  const key = JSON.stringify(retention);
  const cached = cache.get(key);
  if (cached) return cached;
  if (cache.size > 1000) cache.clear();
  const rules = build(retention);
  cache.set(key, rules);
  return rules;
}

function build(retention: Retention): RetentionRule[] {
  const rules: RetentionRule[] = [];
  if (retention.grid && retention.grid.length > 0) rules.push(gridRule(retention.grid));
  if (retention.keepLast !== undefined) rules.push(keepLast(retention.keepLast));
  if (retention.keepHourly !== undefined) rules.push(keepHourly(retention.keepHourly));
  if (retention.keepDaily !== undefined) rules.push(keepDaily(retention.keepDaily));
  if (retention.keepWeekly !== undefined) rules.push(keepWeekly(retention.keepWeekly));
  if (retention.keepMonthly !== undefined) rules.push(keepMonthly(retention.keepMonthly));
  if (retention.keepYearly !== undefined) rules.push(keepYearly(retention.keepYearly));
  return rules;
}
