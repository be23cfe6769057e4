import { describe, expect, it } from 'vitest';

import { formatAge, toIso, toMs, tryToMs } from '../../../reconciler/policy/time.js';

describe('planner time helpers', () => {
  it.each([
    { iso: '2026-11-21T12:00:00Z', ms: Date.UTC(2026, 10, 21, 12) },
    { iso: '2024-02-29T23:59:59Z', ms: Date.UTC(2024, 1, 29, 23, 59, 59) },
    { iso: '2026-11-21T12:00:00.250Z', ms: Date.UTC(2026, 10, 21, 12, 0, 0, 250) },
    { iso: '2026-11-21T13:00:00+01:00', ms: Date.UTC(2026, 10, 21, 12) },
  ])('reads $iso', ({ iso, ms }) => {
    expect(toMs(iso)).toBe(ms);
  });

  it.each(['2026-02-29T00:00:00Z', '2026-13-01T00:00:00Z', 'noon', '2026-11-21T25:00:00Z'])('refuses %s', (iso) => {
    expect(tryToMs(iso)).toBeNull();
    expect(() => toMs(iso)).toThrow(`not an ISO 8601 time: "${iso}"`);
  });

  it('writes UTC without a zero fraction and ages in two units', () => {
    expect(toIso(Date.UTC(2026, 10, 21, 12))).toBe('2026-11-21T12:00:00Z');
    expect(formatAge(3 * 3600_000 + 20 * 60_000 + 5000)).toBe('3 h 20 min');
    expect(formatAge(0)).toBe('0 s');
  });
});
