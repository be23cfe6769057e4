import { describe, expect, it } from 'vitest';

import { formatDiffName, parseDiffName } from '../../../native/lib/archive/diff-name.js';

describe('archive diff file names', () => {
  it("parses WalB's clean form YYYYMMDDhhmmss-MC-B-E.wdiff", () => {
    expect(parseDiffName('20181031124640-M--5-6.wdiff')).toEqual({
      b: { b: 5, e: 5 },
      e: { b: 6, e: 6 },
      mergeable: true,
      compared: false,
      timestamp: '2018-10-31T12:46:40Z',
    });
  });

  it("parses WalB's dirty form with four gids", () => {
    expect(parseDiffName('20181031124640--C-5-9-12-15.wdiff')).toEqual({
      b: { b: 5, e: 9 },
      e: { b: 12, e: 15 },
      mergeable: false,
      compared: true,
      timestamp: '2018-10-31T12:46:40Z',
    });
  });

  it('writes the names back exactly', () => {
    for (const name of ['20181031124640-M--5-6.wdiff', '20181031124640--C-5-9-12-15.wdiff', '20261121100000----0-1-2-2.wdiff']) {
      expect(formatDiffName(parseDiffName(name)!)).toBe(name);
    }
  });

  it('uses the UTC second of the timestamp', () => {
    const name = formatDiffName({ b: { b: 1, e: 1 }, e: { b: 2, e: 2 }, mergeable: true, compared: false, timestamp: '2026-11-21T10:00:00.999Z' });
    expect(name).toBe('20261121100000-M--1-2.wdiff');
  });

  it('rejects temp files, foreign names, impossible dates and diffs that go backwards', () => {
    expect(parseDiffName('.tmp-20181031124640-M--5-6.wdiff.123.abcdef01')).toBeNull();
    expect(parseDiffName('base.img')).toBeNull();
    expect(parseDiffName('20181399124640-M--5-6.wdiff')).toBeNull();
    expect(parseDiffName('20181031124640-M--6-5.wdiff')).toBeNull();
    expect(parseDiffName('20181031124640-X--5-6.wdiff')).toBeNull();
  });
});
