/**
 * The base.sums reader under random damage: every mutation of a valid sidecar is refused with an
 * InputError naming the file and a byte offset inside it (or at its end), never accepted as other
 * hashes and never a crash of another kind. Seeded, bounded: 3000 mutations.
 */
import { describe, expect, it } from 'vitest';

import { InputError } from '../../../common/errors.js';
import { SUMS_HEADER, decodeSums, encodeSums } from '../../../native/lib/archive/base-sums.js';
import { rng } from './_workload.js';

const valid = (n: number, seed: number) => {
  const r = rng(seed);
  const hashes = Buffer.alloc(n * 8);
  for (let i = 0; i < hashes.length; i++) hashes[i] = r.int(0, 255);
  return encodeSums({ bulkSize: 1 << 20, sizeBytes: n * (1 << 20) - 4096 * r.int(0, 255), snap: { b: 7, e: 7 }, hashes });
};

describe('the base.sums reader', () => {
  it('decodes what the writer wrote, field for field', () => {
    const buf = valid(5, 1);
    const s = decodeSums(buf, 'x/base.sums');
    expect(encodeSums(s).equals(buf)).toBe(true);
    expect(s.snap).toEqual({ b: 7, e: 7 });
  });

  it('refuses each of 3000 random mutations (flips, overwrites, truncations, extensions) with the file and a byte offset', () => {
    const r = rng(4242);
    let refused = 0;
    const offsets: number[] = [];
    for (let trial = 0; trial < 3000; trial++) {
      const orig = valid(r.int(1, 9), trial);
      let m: Buffer;
      switch (r.int(0, 3)) {
        case 0: {
          m = Buffer.from(orig);
          const at = r.int(0, m.length - 1);
          m[at] ^= 1 << r.int(0, 7);
          break;
        }
        case 1: {
          m = Buffer.from(orig);
          for (let k = r.int(1, 8); k > 0; k--) m[r.int(0, m.length - 1)] = r.int(0, 255);
          if (m.equals(orig)) m[0] ^= 1;
          break;
        }
        case 2:
          m = orig.subarray(0, r.int(0, orig.length - 1));
          break;
        default:
          m = Buffer.concat([orig, Buffer.alloc(r.int(1, 16), r.int(0, 255))]);
      }
      let error: unknown = null;
      try {
        decodeSums(m, 'x/base.sums');
      } catch (e) {
        error = e;
      }
      expect(error, `trial ${trial}`).toBeInstanceOf(InputError);
      const at = /^x\/base\.sums: byte (\d+): /.exec((error as Error).message);
      expect(at, (error as Error).message).not.toBeNull();
      expect(Number(at![1])).toBeLessThanOrEqual(m.length);
      offsets.push(Number(at![1]));
      refused++;
    }
    expect(refused).toBe(3000);
    // The damage was found at the frame, the header and the closing checksum, not at one place only.
    expect(new Set(offsets.map((o) => (o === 0 ? 'magic' : o < SUMS_HEADER ? 'header' : 'tail'))).size).toBe(3);
  });
});
