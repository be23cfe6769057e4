/**
 * Five-field cron expressions (minute hour day-of-month month day-of-week), always in UTC.
 * Each field takes `*`, numbers, ranges `a-b`, steps `*\/n` and `a-b/n`, and lists `a,b`; months
 * and weekdays also take names (`jan`, `mon`). Day-of-week 0 and 7 are both Sunday. As in Vixie
 * cron, when both day fields are restricted a day matches if either matches.
 */
import { UnitSyntaxError } from './unit-error.js';

export interface CronSpec {
  /** The expression as written. */
  source: string;
  minutes: number[];
  hours: number[];
  daysOfMonth: number[];
  months: number[];
  /** 0 = Sunday … 6 = Saturday. */
  daysOfWeek: number[];
  /** False when the day-of-month field is `*` (then only day-of-week restricts days). */
  domRestricted: boolean;
  dowRestricted: boolean;
}

interface FieldDef {
  name: string;
  min: number;
  max: number;
  names?: string[];
}

const FIELDS: FieldDef[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { name: 'day-of-week', min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Parses a cron expression. Throws UnitSyntaxError whose `field` names the bad field. */
export function parseCron(expr: string): CronSpec {
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== 5 || parts[0] === '') {
    throw new UnitSyntaxError('cron', expr, `expected 5 fields (minute hour day-of-month month day-of-week), got ${parts[0] === '' ? 0 : parts.length}`);
  }
  const sets = parts.map((part, i) => parseField(expr, part, FIELDS[i]));
  const daysOfWeek = [...new Set(sets[4].map((d) => d % 7))].sort((a, b) => a - b);
  const spec: CronSpec = {
    source: expr,
    minutes: sets[0],
    hours: sets[1],
    daysOfMonth: sets[2],
    months: sets[3],
    daysOfWeek,
    domRestricted: parts[2] !== '*',
    dowRestricted: parts[4] !== '*',
  };
  if (spec.domRestricted && !spec.dowRestricted && !spec.months.some((m) => spec.daysOfMonth.some((d) => d <= DAYS_IN_MONTH[m - 1]))) {
    throw new UnitSyntaxError('cron', expr, 'no listed day exists in the listed months, so it never fires', 'day-of-month');
  }
  return spec;
}

function parseField(expr: string, text: string, def: FieldDef): number[] {
  const fail = (reason: string): never => {
    throw new UnitSyntaxError('cron', expr, reason, def.name);
  };
  const values = new Set<number>();
  for (const item of text.split(',')) {
    const m = /^(\*|[a-z0-9]+(?:-[a-z0-9]+)?)(?:\/(\d+))?$/i.exec(item);
    if (!m) fail(`"${item}" is not a number, range, list or step`);
    const [, range, stepText] = m!;
    const step = stepText === undefined ? 1 : Number(stepText);
    if (step < 1) fail(`step "/${stepText}" must be at least 1`);
    let low = def.min;
    let high = def.name === 'day-of-week' ? 6 : def.max;
    if (range !== '*') {
      const [a, b] = range.split('-');
      low = value(a, def, fail);
      high = b === undefined ? (stepText === undefined ? low : def.max) : value(b, def, fail);
      if (low > high) fail(`range "${range}" runs backwards`);
    }
    for (let v = low; v <= high; v += step) values.add(v);
  }
  return [...values].sort((a, b) => a - b);
}

function value(text: string, def: FieldDef, fail: (reason: string) => never): number {
  const named = def.names?.indexOf(text.toLowerCase()) ?? -1;
  if (named >= 0) return named + (def.name === 'month' ? 1 : 0);
  if (!/^\d+$/.test(text)) fail(`"${text}" is not a number${def.names ? ' or a name' : ''}`);
  const n = Number(text);
  if (n < def.min || n > def.max) fail(`${n} is out of range ${def.min}-${def.max}`);
  return n;
}

/** The first time strictly after `after` (UTC, whole minutes) at which the schedule fires. */
export function nextCronTime(spec: CronSpec, after: Date): Date {
  const t = new Date(Math.floor(after.getTime() / 60_000) * 60_000 + 60_000);
  const limit = after.getTime() + 28 * 366 * 86_400_000;
  while (t.getTime() <= limit) {
    if (!spec.months.includes(t.getUTCMonth() + 1)) {
      t.setUTCMonth(t.getUTCMonth() + 1, 1);
      t.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!dayMatches(spec, t)) {
      t.setUTCDate(t.getUTCDate() + 1);
      t.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!spec.hours.includes(t.getUTCHours())) {
      t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
      continue;
    }
    if (!spec.minutes.includes(t.getUTCMinutes())) {
      t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
      continue;
    }
    return t;
  }
  throw new RangeError(`cron "${spec.source}" does not fire within 28 years after ${after.toISOString()}`);
}

function dayMatches(spec: CronSpec, t: Date): boolean {
  const dom = spec.daysOfMonth.includes(t.getUTCDate());
  const dow = spec.daysOfWeek.includes(t.getUTCDay());
  if (spec.domRestricted && spec.dowRestricted) return dom || dow;
  if (spec.domRestricted) return dom;
  if (spec.dowRestricted) return dow;
  return true;
}
