import { describe, expect, it } from 'vitest';

import { formatDuration, parseDuration } from '../../../reconciler/util/duration.js';
import { UnitSyntaxError } from '../../../reconciler/util/unit-error.js';

describe('parseDuration', () => {
  it.each([
    ['90s', 90],
    ['15m', 900],
    ['1h30m', 5400],
    ['7d', 604_800],
    ['2w1d', 1_296_000],
    ['1d2h3m4s', 93_784],
  ])('reads %s as %i seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(['', '15', '15 m', '1m1h', '1h1h', '5y', '1.5h', '0s', ' 5m'])('rejects %j with a UnitSyntaxError', (text) => {
    expect(() => parseDuration(text)).toThrow(UnitSyntaxError);
  });

  it('names the unknown unit in its message', () => {
    expect(() => parseDuration('5y')).toThrow(/unknown unit "y"/);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [90, '1m30s'],
    [5400, '1h30m'],
    [604_800, '1w'],
    [691_200, '8d'],
  ])('writes %i seconds as %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it('round-trips through parseDuration', () => {
    for (const s of [1, 59, 61, 3599, 86_401, 1_209_600]) expect(parseDuration(formatDuration(s))).toBe(s);
  });
});
