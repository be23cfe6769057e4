import { describe, expect, it } from 'vitest';

import { cronFire, describeSchedule, everyFire, scheduleDue } from '../../../reconciler/policy/schedule.js';

const t = (iso: string): number => Date.parse(iso);
const hourly = everyFire(3600);

describe('scheduleDue', () => {
  it.each([
    { name: 'a run is due at once when none ever ran', last: null, now: '2026-11-21T12:10:00Z', due: true, missed: 0 },
    { name: 'not due within the same hour', last: '2026-11-21T12:00:00Z', now: '2026-11-21T12:59:59Z', due: false, missed: 0 },
    { name: 'due exactly at the next fire time', last: '2026-11-21T12:00:00Z', now: '2026-11-21T13:00:00Z', due: true, missed: 1 },
    { name: 'fire times are aligned to the clock, not to the last run', last: '2026-11-21T12:50:00Z', now: '2026-11-21T13:00:00Z', due: true, missed: 1 },
    { name: 'a daemon down five hours gives one run that counts five misses', last: '2026-11-21T07:00:00Z', now: '2026-11-21T12:30:00Z', due: true, missed: 5 },
  ])('$name', ({ last, now, due, missed }) => {
    const d = scheduleDue(hourly, { last: last === null ? null : t(last), now: t(now) });
    expect({ due: d.due, missed: d.missed }).toEqual({ due, missed });
  });

  it('gives the next fire time after now', () => {
    expect(new Date(scheduleDue(hourly, { last: t('2026-11-21T12:00:00Z'), now: t('2026-11-21T12:10:00Z') }).nextAt).toISOString()).toBe('2026-11-21T13:00:00.000Z');
  });

  it('follows a cron expression in UTC and counts the missed days', () => {
    const daily3 = cronFire('0 3 * * *');
    const d = scheduleDue(daily3, { last: t('2026-11-18T03:00:00Z'), now: t('2026-11-21T12:00:00Z') });
    expect(d).toEqual({ due: true, missed: 3, nextAt: t('2026-11-22T03:00:00Z') });
    expect(scheduleDue(daily3, { last: t('2026-11-21T03:00:00Z'), now: t('2026-11-21T12:00:00Z') }).due).toBe(false);
  });

  it('describes schedules in the words reasons use', () => {
    expect(describeSchedule({ kind: 'every', everySeconds: 900 })).toBe('every 15 min');
    expect(describeSchedule({ kind: 'every', everySeconds: 86400 })).toBe('every 1 d');
    expect(describeSchedule({ kind: 'cron', cron: '0 3 * * *' })).toBe('cron "0 3 * * *"');
  });
});
