/**
 * Compression pacing: which frames a sender tries to compress, given what the frames before did —
 * within one stream and across a sender's streams of the same peer, kind and volume.
 */
import { describe, expect, it } from 'vitest';

import { CompressionPacing, MISSES, PAUSE_MAX, PAUSE_MIN, PacingTable } from '../../../../native/lib/wire/stream/compress-pacing.js';

/** Feeds `frames` frames (true: it would shrink) through the pacing; returns the indexes it tried. */
function run(p: CompressionPacing, frames: boolean[]): number[] {
  const tried: number[] = [];
  frames.forEach((shrinks, i) => {
    if (!p.tryNext()) return;
    tried.push(i);
    p.record(shrinks);
  });
  return tried;
}

describe('compression pacing', () => {
  it('tries every frame while they shrink', () => {
    expect(run(new CompressionPacing(), Array(100).fill(true))).toHaveLength(100);
  });

  it('pauses after MISSES frames that do not shrink, and doubles each pause that ends in another miss, up to PAUSE_MAX', () => {
    const tried = run(new CompressionPacing(), Array(1000).fill(false));
    const expected: number[] = [];
    let i = 0;
    for (; i < MISSES; i++) expected.push(i);
    for (let pause = PAUSE_MIN; i < 1000; pause = Math.min(pause * 2, PAUSE_MAX)) {
      i += pause;
      if (i < 1000) expected.push(i++);
    }
    expect(tried).toEqual(expected);
    // Of 1000 incompressible frames, 4 + one per pause: about 1.8 %, against 11 % with fixed pauses of 32.
    expect(tried.length).toBeLessThan(25);
  });

  it('starts over when a tried frame shrinks: data that compresses again is compressed again', () => {
    const frames = [...Array(200).fill(false), ...Array(200).fill(true)];
    const tried = run(new CompressionPacing(), frames);
    const firstShrinking = tried.find((i) => i >= 200)!;
    expect(firstShrinking - 200).toBeLessThanOrEqual(PAUSE_MAX);
    expect(tried.filter((i) => i > firstShrinking)).toHaveLength(399 - firstShrinking);
  });

  it('does not let the misses of frames tried before a pause began lengthen it (frames are compressed a few ahead)', () => {
    const p = new CompressionPacing();
    // Eight frames tried at once (the sender compresses ahead), their misses recorded afterwards.
    for (let i = 0; i < 8; i++) expect(p.tryNext()).toBe(true);
    for (let i = 0; i < 8; i++) p.record(false);
    let raw = 0;
    while (!p.tryNext()) raw++;
    expect(raw).toBe(PAUSE_MIN);
  });

  it('keeps one pacing per peer, kind and volume, so the next stream of a sender starts where the last ended', () => {
    const t = new PacingTable(3);
    const a = t.for('px-1', 'log-batch', 'pg');
    for (let i = 0; i < MISSES; i++) {
      expect(a.tryNext()).toBe(true);
      a.record(false);
    }
    // The next batch's first frame is inside the pause, not tried again.
    expect(t.for('px-1', 'log-batch', 'pg').tryNext()).toBe(false);
    expect(t.for('px-2', 'log-batch', 'pg').tryNext()).toBe(true);
    expect(t.for('px-1', 'full-backup', 'pg').tryNext()).toBe(true);
    expect(t.for('px-1', 'log-batch', 'db')).not.toBe(a);
    // Past its size the table forgets the least recently used.
    expect(t.for('px-1', 'log-batch', 'pg')).not.toBe(a);
  });
});
