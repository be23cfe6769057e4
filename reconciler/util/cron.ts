/**
 * Five-field cron expressions (minute hour day-of-month month day-of-week), always in UTC, through
 * croner (its 5-part mode; Vixie cron's rule that a day matches either restricted day field). What
 * stays here is the diagnostic: a bad expression is named by its field and the text at fault, as
 * `bad cron "61 * * * *": minute: 61 is out of range 0-59`, as before croner, because croner's own
 * messages count some fields from 0 ("Invalid value for month: 12" for 13).
 */
import { Cron } from 'croner';

import { UnitSyntaxError } from './unit-error.js';

export interface CronSpec {
  /** The expression as written. */
  source: string;
  cron: Cron;
}

const FIELDS = [
  { name: 'minute', range: '0-59', names: '' },
  { name: 'hour', range: '0-23', names: '' },
  { name: 'day-of-month', range: '1-31', names: ', L' },
  { name: 'month', range: '1-12', names: ' or jan-dec' },
  { name: 'day-of-week', range: '0-7', names: ' or sun-sat' },
] as const;

const OPTIONS = { timezone: 'UTC', mode: '5-part', legacyMode: true, paused: true } as const;

function compile(expr: string): Cron {
  return new Cron(expr, OPTIONS);
}

/** Parses a cron expression. Throws UnitSyntaxError whose `field` names the bad field. */
export function parseCron(expr: string): CronSpec {
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== 5 || parts[0] === '') {
    throw new UnitSyntaxError('cron', expr, `expected 5 fields (minute hour day-of-month month day-of-week), got ${parts[0] === '' ? 0 : parts.length}`);
  }
  let cron: Cron;
  try {
    cron = compile(parts.join(' '));
  } catch (error) {
    throw fieldError(expr, parts, error as Error);
  }
  if (cron.nextRun(new Date(0)) == null) {
    throw new UnitSyntaxError('cron', expr, 'no listed day exists in the listed months, so it never fires', 'day-of-month');
  }
  return { source: expr, cron };
}

/** Finds the field croner refused by compiling each one alone (the others `*`), and says what is wrong
 *  with it in the words of the field, not croner's. */
function fieldError(expr: string, parts: string[], error: Error): UnitSyntaxError {
  for (let i = 0; i < parts.length; i++) {
    const alone = parts.map((p, j) => (j === i ? p : '*')).join(' ');
    try {
      compile(alone);
    } catch (e) {
      const f = FIELDS[i]!;
      const text = parts[i]!;
      const message = (e as Error).message;
      const backwards = /larger than to value: '([^']*)'/.exec(message);
      const reason = /^\d+$/.test(text)
        ? `${text} is out of range ${f.range}`
        : backwards
          ? `range "${backwards[1]}" runs backwards`
          : /stepping/.test(message)
            ? `"${text}" has a bad step (a step is /1 or more)`
            : `"${text}" is not a number, range, list or step (${f.range}${f.names})`;
      return new UnitSyntaxError('cron', expr, reason, f.name);
    }
  }
  return new UnitSyntaxError('cron', expr, error.message.replace(/^CronPattern: /, ''));
}

/** The first time strictly after `after` (UTC, whole minutes) at which the schedule fires. */
export function nextCronTime(spec: CronSpec, after: Date): Date {
  const next = spec.cron.nextRun(after);
  if (!next) throw new RangeError(`cron "${spec.source}" does not fire after ${after.toISOString()}`);
  return next;
}
