/**
 * Whether a data frame is worth compressing, learnt from the frames before it. lz4 costs ~3 CPU-s
 * per GB that does not shrink (random data, a wdiff's compressed records), so compression that does
 * not pay is paused: after MISSES frames in a row that did not shrink by 5 %, the next frames go as
 * they are; the frame after the pause is tried again, and each pause that ends in another miss is
 * twice as long as the one before (up to PAUSE_MAX frames), while a frame that shrinks starts over.
 *
 * One pacing may outlive a stream: a sender keeps one per peer, kind and volume (send-file.ts), so
 * a storage shipping 32 MiB log batches of incompressible writes does not try the first frames of
 * every batch again (with a fresh pacing per stream, 4 of every 32 frames were compressed in vain).
 */
export const MISSES = 4;
export const PAUSE_MIN = 32;
export const PAUSE_MAX = 64;

export class CompressionPacing {
  private misses = 0;
  private paused = 0;
  private pause = PAUSE_MIN;

  /** Whether to try compressing the next frame (a frame not tried counts off the pause). */
  tryNext(): boolean {
    if (this.paused === 0) return true;
    this.paused--;
    return false;
  }

  /** What a tried frame did: shrank enough, or went raw (in any order with tryNext: frames are compressed ahead). */
  record(shrank: boolean): void {
    if (shrank) {
      this.misses = 0;
      this.pause = PAUSE_MIN;
      return;
    }
    // Frames are compressed a few at a time: the misses of frames tried before the pause began
    // arrive during it, and must not start (or lengthen) another one.
    if (this.paused > 0) return;
    if (++this.misses < MISSES) return;
    this.paused = this.pause;
    this.pause = Math.min(this.pause * 2, PAUSE_MAX);
    // After the pause one more miss pauses again; a frame that shrinks resets this.
    this.misses = MISSES - 1;
  }
}

/** The pacings a sender keeps, per peer, kind and volume; the oldest goes past `max` keys. */
export class PacingTable {
  private readonly byKey = new Map<string, CompressionPacing>();

  constructor(private readonly max = 1024) {}

  for(peer: string, kind: string, volume: string): CompressionPacing {
    const key = `${peer}\u0000${kind}\u0000${volume}`;
    let p = this.byKey.get(key);
    if (p) {
      this.byKey.delete(key);
    } else {
      p = new CompressionPacing();
      if (this.byKey.size >= this.max) this.byKey.delete(this.byKey.keys().next().value!);
    }
    this.byKey.set(key, p);
    return p;
  }
}
