import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { namesIn } from '../../../reconciler/drivers/native/observe-cache.js';
import { ObserveRound, onceIn } from '../../../reconciler/observed/round.js';

describe('ObserveRound', () => {
  it('reads each key once in a round, and again in the next round or without one', async () => {
    let reads = 0;
    const read = async () => ++reads;
    const round = new ObserveRound();
    expect(await Promise.all([round.once('k', read), round.once('k', read)])).toEqual([1, 1]);
    expect(await round.once('other', read)).toBe(2);
    expect(await onceIn(round, 'k', read)).toBe(1);
    expect(await new ObserveRound().once('k', read)).toBe(3);
    expect(await onceIn(undefined, 'k', read)).toBe(4);
  });

  it('lists a folder once per round (none when it is missing), so a volume made meanwhile shows in the next round', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'walbctl-round-'));
    try {
      const wdev = join(dir, 'wdev');
      const round = new ObserveRound();
      expect([...(await namesIn(round, wdev))]).toEqual([]);
      mkdirSync(join(wdev, 'vol-1'), { recursive: true });
      expect([...(await namesIn(round, wdev))]).toEqual([]);
      expect([...(await namesIn(new ObserveRound(), wdev))]).toEqual(['vol-1']);
      expect([...(await namesIn(undefined, wdev))]).toEqual(['vol-1']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
