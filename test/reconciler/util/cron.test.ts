import { describe, expect, it } from 'vitest';

import { nextCronTime, parseCron } from '../../../reconciler/util/cron.js';
import { UnitSyntaxError } from '../../../reconciler/util/unit-error.js';

const next = (expr: string, after: string): string => nextCronTime(parseCron(expr), new Date(after)).toISOString();

describe('parseCron', () => {
  it('expands steps, ranges, lists and names', () => {
    const fires = (after: string) => next('*/15 9-17 1,15 jan-mar mon-fri', after);
    // Both day fields are restricted: a day matches either (the 1st, the 15th, or a weekday).
    expect(fires('2026-01-01T08:59:00Z')).toBe('2026-01-01T09:00:00.000Z');
    expect(fires('2026-01-01T17:45:00Z')).toBe('2026-01-02T09:00:00.000Z');
    expect(fires('2026-03-31T17:45:00Z')).toBe('2027-01-01T09:00:00.000Z');
  });

  it('treats day-of-week 7 as Sunday', () => {
    // 2026-03-08 is a Sunday.
    expect(next('0 0 * * 7', '2026-03-02T00:00:00Z')).toBe('2026-03-08T00:00:00.000Z');
  });

  it('is read by croner, so its extensions work: L is the last day of the month', () => {
    expect(next('0 0 L * *', '2026-02-01T00:00:00Z')).toBe('2026-02-28T00:00:00.000Z');
    expect(next('0 0 * * 5#2', '2026-03-01T00:00:00Z')).toBe('2026-03-13T00:00:00.000Z');
  });

  it.each([
    ['61 * * * *', 'minute'],
    ['* 24 * * *', 'hour'],
    ['* * 0 * *', 'day-of-month'],
    ['* * * 13 *', 'month'],
    ['* * * * 8', 'day-of-week'],
    ['* * * foo *', 'month'],
    ['5-1 * * * *', 'minute'],
    ['*/0 * * * *', 'minute'],
    ['0 0 30 2 *', 'day-of-month'],
  ])('rejects %j naming the %s field', (expr, field) => {
    let error: unknown;
    try {
      parseCron(expr);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnitSyntaxError);
    expect((error as UnitSyntaxError).field).toBe(field);
    expect((error as Error).message).toContain(field);
    expect((error as Error).message).toContain(JSON.stringify(expr));
  });

  it('names the text at fault and what the field takes, not croner\'s zero-based value', () => {
    expect(() => parseCron('0 0 1 13 *')).toThrow('bad cron "0 0 1 13 *": month: 13 is out of range 1-12');
    expect(() => parseCron('5-1 * * * *')).toThrow('minute: range "5-1" runs backwards');
    expect(() => parseCron('* * * foo *')).toThrow('month: "foo" is not a number, range, list or step (1-12 or jan-dec)');
  });

  it('rejects a wrong number of fields', () => {
    expect(() => parseCron('* * * *')).toThrow(/expected 5 fields/);
  });
});

describe('nextCronTime', () => {
  it('is strictly after the given time', () => {
    expect(next('0 * * * *', '2026-01-01T10:00:00Z')).toBe('2026-01-01T11:00:00.000Z');
    expect(next('* * * * *', '2026-01-01T10:00:30Z')).toBe('2026-01-01T10:01:00.000Z');
  });

  it('crosses days, months and years in UTC', () => {
    expect(next('30 2 * * *', '2026-01-31T03:00:00Z')).toBe('2026-02-01T02:30:00.000Z');
    expect(next('0 0 1 jan *', '2026-06-15T00:00:00Z')).toBe('2027-01-01T00:00:00.000Z');
  });

  it('finds the 29th of February in a leap year', () => {
    expect(next('0 12 29 2 *', '2026-03-01T00:00:00Z')).toBe('2028-02-29T12:00:00.000Z');
  });

  it('matches either day field when both are restricted', () => {
    // 2026-03-02 is a Monday; the 10th is a Tuesday.
    expect(next('0 0 10 * mon', '2026-03-01T00:00:00Z')).toBe('2026-03-02T00:00:00.000Z');
    expect(next('0 0 10 * mon', '2026-03-09T00:00:00Z')).toBe('2026-03-10T00:00:00.000Z');
  });

  it('steps through every minute of a */5 schedule', () => {
    expect(next('*/5 * * * *', '2026-01-01T23:58:00Z')).toBe('2026-01-02T00:00:00.000Z');
  });
});
