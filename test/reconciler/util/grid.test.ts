import { describe, expect, it } from 'vitest';

import { gridSpanSeconds, parseGrid } from '../../../reconciler/util/grid.js';
import { UnitSyntaxError } from '../../../reconciler/util/unit-error.js';

describe('parseGrid', () => {
  it('reads a zrepl-style grid with keep counts', () => {
    expect(parseGrid('1x1h(keep=all) | 24x1h | 14x1d(keep=2)')).toEqual([
      { count: 1, periodSeconds: 3600, keep: 'all' },
      { count: 24, periodSeconds: 3600, keep: 1 },
      { count: 14, periodSeconds: 86_400, keep: 2 },
    ]);
  });

  it('measures how far back the grid reaches', () => {
    expect(gridSpanSeconds(parseGrid('1x1h(keep=all) | 24x1h | 14x1d'))).toBe(25 * 3600 + 14 * 86_400);
  });

  it.each([
    ['24h', 'interval 1'],
    ['24x1h | 0x1d', 'interval 2'],
    ['24x1h | 7x1y', 'interval 2'],
    ['24x1h(keep=0)', 'interval 1'],
    ['24x1h |', 'interval 2'],
  ])('rejects %j naming %s', (text, field) => {
    expect(() => parseGrid(text)).toThrow(UnitSyntaxError);
    expect(() => parseGrid(text)).toThrow(field);
  });
});
