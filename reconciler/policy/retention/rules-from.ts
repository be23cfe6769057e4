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
  // A fleet's volumes mostly declare what the previous one did: compare with it before building a key.
  if (last && sameRules(last.retention, retention)) return last.rules;
  const rules = cached(retention);
  last = { retention: copyOf(retention), rules };
  return rules;
}

let last: { retention: Retention; rules: RetentionRule[] } | undefined;

/** True when build() makes the same rules of both: the fields it reads are equal. */
function sameRules(a: Retention, b: Retention): boolean {
  for (const f of COUNTS) if (a[f] !== b[f]) return false;
  if (a.grid === b.grid) return true;
  if (!Array.isArray(a.grid) || !Array.isArray(b.grid) || a.grid.length !== b.grid.length) return false;
  for (let i = 0; i < a.grid.length; i++) {
    const x = a.grid[i]!;
    const y = b.grid[i]!;
    if (!x || !y || x.count !== y.count || x.periodSeconds !== y.periodSeconds || x.keep !== y.keep) return false;
  }
  return true;
}

/** The fields build() reads, copied: a caller changing its retention object later cannot make `last` lie. */
function copyOf(r: Retention): Retention {
  const copy: Retention = { ...r, grid: Array.isArray(r.grid) ? r.grid.map((g) => (g ? { count: g.count, periodSeconds: g.periodSeconds, keep: g.keep } : g)) : r.grid };
  return copy;
}

function cached(retention: Retention): RetentionRule[] {
  const key = keyOf(retention);
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

const COUNTS = ['keepLast', 'keepHourly', 'keepDaily', 'keepWeekly', 'keepMonthly', 'keepYearly'] as const;

/** The cache key: a compact spelling of the declared rules, cheaper than JSON.stringify — which it falls
 *  back to for anything but the fields rules are built from, with the types they have. */
function keyOf(retention: Retention): string {
  const json = (): string => 'json:' + JSON.stringify(retention);
  let key = '';
  for (const f in retention) if (f !== 'grid' && !(COUNTS as readonly string[]).includes(f)) return json();
  if (retention.grid === null || retention.grid === undefined) key = `${retention.grid}|`;
  else {
    if (!Array.isArray(retention.grid)) return json();
    for (const g of retention.grid) {
      if (typeof g.count !== 'number' || typeof g.periodSeconds !== 'number' || (typeof g.keep !== 'number' && g.keep !== 'all') || Object.keys(g).length !== 3) return json();
      key += `${g.count}x${g.periodSeconds}x${g.keep}|`;
    }
  }
  for (const f of COUNTS) {
    const v = retention[f];
    if (v !== undefined && typeof v !== 'number') return json();
    key += `${v};`;
  }
  return key;
}
