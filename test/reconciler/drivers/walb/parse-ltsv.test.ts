/** WalB's one-line-per-volume `get` answers (log-usage, latest-snap, ts-delta) in the forms walb-tools 1.0.19 prints. */
import { describe, expect, it } from 'vitest';

import { parseLatestSnap, parseLogUsage, parseTsDelta } from '../../../../reconciler/drivers/walb/parse-ltsv.js';

describe('the walb driver\'s LTSV text forms', () => {
  it('reads a volume\'s log usage out of every volume\'s', () => {
    const text = 'name:pg\tusage_pb:1200\tcapacity_pb:262144\tpbs:4096\nname:web\tusage_pb:0\tcapacity_pb:65536\tpbs:512\n';
    expect(parseLogUsage(text, 'web')).toEqual({ usagePb: 0, capacityPb: 65536, pbs: 512 });
    expect(parseLogUsage(text, 'none')).toBeUndefined();
  });

  it('reads the latest snapshot of a storage (with its lsid) and of an archive (without)', () => {
    expect(parseLatestSnap('name:pg\tkind:storage\tgid:12\tlsid:4096\ttimestamp:2026-12-05T07:10:00', 'pg')).toEqual({ gid: 12, lsid: 4096, timestamp: '2026-12-05T07:10:00Z' });
    expect(parseLatestSnap('name:pg\tkind:archive\tgid:9\ttimestamp:2026-12-05T07:00:00', 'pg')).toEqual({ gid: 9, lsid: null, timestamp: '2026-12-05T07:00:00Z' });
  });

  it('reads ts-delta lines, known and not yet known', () => {
    const text = [
      'name:pg\tdest:ar-1\tkind:storage\tdest_kind:archive\tgid:12\tts:2026-12-05T07:10:00\tdest_gid:10\tdest_ts:2026-12-05T07:08:20\tts_delta:100',
      'name:pg\tdest:ar-2\tkind:storage\tdest_kind:archive\tgid:12\tts:2026-12-05T07:10:00\tdest_ts:\tdest_gid:\tts_delta:',
    ].join('\n');
    expect(parseTsDelta(text)).toEqual([
      { name: 'pg', dest: 'ar-1', kind: 'storage', destKind: 'archive', gid: 12, timestamp: '2026-12-05T07:10:00Z', destGid: 10, destTimestamp: '2026-12-05T07:08:20Z', deltaSeconds: 100 },
      { name: 'pg', dest: 'ar-2', kind: 'storage', destKind: 'archive', gid: 12, timestamp: '2026-12-05T07:10:00Z', destGid: null, destTimestamp: null, deltaSeconds: null },
    ]);
  });

  it('names the line and the field it cannot read', () => {
    expect(() => parseLogUsage('name:pg\tusage_pb:x\tcapacity_pb:1\tpbs:512', 'pg')).toThrow('walbc get log-usage line 1: usage_pb "x" is not a count');
    expect(() => parseLatestSnap('\nname:pg\tgid:1', 'pg')).toThrow('walbc get latest-snap line 2: no timestamp field');
    expect(() => parseTsDelta('name:pg\tdest')).toThrow('walbc get ts-delta line 1: not a "key:value" field: "dest"');
    expect(() => parseTsDelta('name:pg\tdest:a\tkind:storage\tdest_kind:archive\tgid:1\tts:2026-12-05T07:10:00\tdest_gid:1\tdest_ts:2026-12-05T07:10:00\tts_delta:soon')).toThrow('ts_delta "soon" is not a number of seconds');
  });
});
