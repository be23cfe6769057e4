/**
 * The frame layer's format: a frame round-trips split at any byte, and each rule of the header is
 * checked — one flipped byte at each documented offset is reported with the frame's inbound offset.
 */
import { describe, expect, it } from 'vitest';

import { FLAG_XXH3, FrameParser, frameHeader, HEADER_BYTES, PARTS_FROM } from '../../../native/lib/wire/frame/codec.js';

function frame(type: number, payload: Buffer): Buffer {
  return Buffer.concat([frameHeader(type, 0, [payload]), payload]);
}

describe('the frame codec', () => {
  it('hands back every frame whole however the stream is split', () => {
    const frames = [frame(1, Buffer.from('{"t":"hello"}')), frame(2, Buffer.alloc(70_000, 7)), frame(1, Buffer.alloc(0))];
    const all = Buffer.concat(frames);
    for (const step of [1, 5, 12, 13, 4096, all.length]) {
      const p = new FrameParser();
      const got = [];
      for (let i = 0; i < all.length; i += step) got.push(...p.push(all.subarray(i, i + step)));
      expect(got.map((f) => [f.type, f.payload.length])).toEqual([
        [1, 13],
        [2, 70_000],
        [1, 0],
      ]);
      expect(p.consumed).toBe(all.length);
    }
  });

  it('hands a large frame that spans reads as views of them (no copy), its payload joining them, and still checks its sum', () => {
    const big = Buffer.alloc(PARTS_FROM + 5000);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
    for (const flags of [0, FLAG_XXH3]) {
      const all = Buffer.concat([frameHeader(2, flags, [big]), big, frame(1, Buffer.from('{}'))]);
      const p = new FrameParser();
      const got = [];
      for (let i = 0; i < all.length; i += 16384) got.push(...p.push(all.subarray(i, i + 16384)));
      expect(got.map((f) => [f.type, f.size])).toEqual([[2, big.length], [1, 2]]);
      expect(got[0]!.parts!.length).toBe(Math.ceil((HEADER_BYTES + big.length) / 16384));
      expect(got[0]!.parts!.every((x) => x.buffer === all.buffer)).toBe(true);
      expect(got[0]!.payload.equals(big)).toBe(true);
      const bad = Buffer.from(all);
      bad[HEADER_BYTES + 40_000]! ^= 1;
      const q = new FrameParser();
      expect(() => {
        for (let i = 0; i < bad.length; i += 16384) q.push(bad.subarray(i, i + 16384));
      }).toThrow(/mismatch/);
    }
  });

  it('computes the checksum over parts as over their concatenation', () => {
    const a = Buffer.from('abc');
    const b = Buffer.from('defgh');
    expect(frameHeader(2, 0, [a, b])).toEqual(frameHeader(2, 0, [Buffer.concat([a, b])]));
  });

  it('takes frames checksummed with XXH3 (flagged) and with crc32 on one stream, and catches a flipped byte in either', () => {
    const payload = Buffer.alloc(70_000, 9);
    const fast = Buffer.concat([frameHeader(2, FLAG_XXH3, [payload]), payload]);
    const slow = Buffer.concat([frameHeader(2, 0, [payload]), payload]);
    expect(fast.subarray(8, 12).equals(slow.subarray(8, 12))).toBe(false);
    expect(new FrameParser().push(Buffer.concat([fast, slow])).map((f) => f.flags)).toEqual([FLAG_XXH3, 0]);
    for (const [f, rule] of [[fast, /xxh3 checksum mismatch/], [slow, /crc32 mismatch/]] as const) {
      const bad = Buffer.from(f);
      bad[HEADER_BYTES + 40_000]! ^= 0x10;
      expect(() => new FrameParser().push(bad)).toThrow(rule);
      const flag = Buffer.from(f);
      flag[3]! ^= FLAG_XXH3; // the flag is covered too: the other algorithm does not match
      expect(() => new FrameParser().push(flag)).toThrow(/mismatch/);
    }
  });

  const cases: [string, number, RegExp][] = [
    ['magic', 0, /magic/],
    ['type (covered by the crc)', 2, /crc32 mismatch/],
    ['length (past the limit)', 7, /exceeds/],
    ['crc', 9, /crc32 mismatch/],
    ['payload', HEADER_BYTES + 3, /crc32 mismatch/],
  ];
  for (const [field, at, rule] of cases) {
    it(`refuses a flipped byte in the ${field} at the frame's offset in the stream`, () => {
      const first = frame(1, Buffer.from('first frame'));
      const second = frame(2, Buffer.alloc(100, 1));
      second[at]! ^= at === 7 ? 0x80 : 0x01;
      const p = new FrameParser(1 << 20);
      let err: { offset?: number; rule?: string } = {};
      try {
        p.push(Buffer.concat([first, second]));
      } catch (e) {
        err = e as typeof err;
      }
      expect(err.offset).toBe(first.length);
      expect(err.rule).toMatch(rule);
    });
  }
});
