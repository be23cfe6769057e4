/** WalB's archive `get` answers as walb-archive 1.0.19 prints them, and walbctl's own forms beside them. */
import { describe, expect, it } from 'vitest';

import { parseBase, parseDiffs, parseRestorable, parseRestored } from '../../../../reconciler/drivers/walb/parse.js';

describe('the walb driver\'s archive text forms', () => {
  it('reads WalB\'s base (MetaState with its time) and walbctl\'s', () => {
    expect(parseBase('<|5|>-20261205071000')).toEqual({ b: { b: 5, e: 5 } });
    expect(parseBase('<|5,7|>-20261205071000')).toEqual({ b: { b: 5, e: 7 } });
    expect(parseBase('<|5|-->|9|>-20261205071000')).toEqual({ b: { b: 5, e: 5 }, e: { b: 9, e: 9 } });
    expect(parseBase('<5-->9>')).toEqual({ b: { b: 5, e: 5 }, e: { b: 9, e: 9 } });
    expect(() => parseBase('<|x|>-1')).toThrow('walbc get base: not a base: "<|x|>-1"');
  });

  it('reads WalB\'s restored list (gids only) as the LVs walb-archive makes, with no time of restore', () => {
    expect(parseRestored('7\n12\n', 'walbc get restored', { volumeGroup: 'vg0', vol: 'pg' })).toEqual([
      { gid: 7, path: '/dev/vg0/wr_pg_7', createdAt: null, verified: null },
      { gid: 12, path: '/dev/vg0/wr_pg_12', createdAt: null, verified: null },
    ]);
    expect(() => parseRestored('7\n', 'walbc get restored')).toThrow('walbc get restored line 1: not a restored line: "7"');
  });

  it('reads WalB\'s restorable and diff lines', () => {
    expect(parseRestorable('3 2026-12-05T07:00:00\n5 2026-12-05T07:10:00')).toEqual([
      { gid: 3, timestamp: '2026-12-05T07:00:00Z', explicit: true },
      { gid: 5, timestamp: '2026-12-05T07:10:00Z', explicit: true },
    ]);
    const [d] = parseDiffs('|3|-->|5| M- 2026-12-05T07:10:00 4096');
    expect(d).toMatchObject({ b: { b: 3, e: 3 }, e: { b: 5, e: 5 }, mergeable: true, compared: false, dataSize: 4096 });
  });
});
