/** cybozu's variable integers as WalB writes them, and the values WalB's transfers carry. */
import { describe, expect, it } from 'vitest';

import { decodeUint, encodeUint, Encoder, uintBodySize } from '../../../../native/lib/wire/walb/cybozu.js';
import { ackBytes } from '../../../../native/lib/wire/walb/negotiate.js';
import { encodeDiff, relation } from '../../../../native/lib/wire/walb/meta.js';

const hex = (b: Buffer) => b.toString('hex');
const decode = (b: Buffer, bits: 32 | 64 = 64) => decodeUint(b[0]!, b.subarray(1), bits);

describe('cybozu variable integers', () => {
  const cases: [number | bigint, string][] = [
    [0, '00'], [5, '05'], [127, '7f'], [128, '8080'], [255, '80ff'], [256, '810001'], [4096, '810010'],
    [0x626c6177, '827761 6c62'.replace(' ', '')], [2 ** 32, '830000000001000000'], [2n ** 64n - 1n, 'ff'], [2n ** 64n - 128n, '8480'],
  ];
  for (const [v, want] of cases) {
    it(`writes ${v} as ${want} and reads it back`, () => {
      expect(hex(encodeUint(v))).toBe(want);
      expect(decode(encodeUint(v))).toBe(BigInt(v));
    });
  }

  it('reads the signed forms as the C++ cast to unsigned does', () => {
    expect(decode(Buffer.from([0x85, 0xfe, 0xff]), 32)).toBe(0xfffffffen);
    expect(decode(Buffer.from([0x86, 0xff, 0xff, 0xff, 0xff]))).toBe(2n ** 64n - 1n);
    expect(decode(Buffer.from([0xf0]), 32)).toBe(0xfffffff0n);
    expect(() => decode(Buffer.from([0x83, 0, 0, 0, 0, 0, 0, 0, 0]), 32)).toThrow('header 0x83 (8 bytes) for a 32-bit value');
    expect([0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x7f].map(uintBodySize)).toEqual([1, 2, 4, 8, 1, 2, 4, 8, 0, 0]);
  });

  it('refuses a value that is not an unsigned integer of its width', () => {
    expect(() => encodeUint(-1)).toThrow('-1 is not a uint64');
    expect(() => encodeUint(2 ** 32, 32)).toThrow('4294967296 is not a uint32');
  });
});

describe('WalB values', () => {
  it('acknowledges with "walb" as a uint32', () => {
    expect(ackBytes().subarray(1).toString('latin1')).toBe('walb');
  });

  it('writes a string as its length and bytes, a MetaDiff with its preambles', () => {
    expect(hex(new Encoder().string('ok').bytes())).toBe('026f6b');
    const d = encodeDiff(new Encoder(), { b: { b: 5, e: 5 }, e: { b: 300, e: 300 }, mergeable: true, compared: false, timestamp: '2026-12-04T00:00:00Z', dataSize: 0 }).bytes();
    expect(hex(d.subarray(0, 4))).toBe('12030100');
    expect(hex(d.subarray(4, 9))).toBe(hex(encodeUint(Date.parse('2026-12-04T00:00:00Z') / 1000)));
    expect(hex(d.subarray(9))).toBe('11030505' + '1103812c01812c01' + '00');
  });

  it('relates a diff to the latest snapshot as walb-archive does', () => {
    const d = (b: number, e: number, compared = false) => ({ b: { b, e: b }, e: { b: e, e }, compared });
    expect(relation({ b: 10, e: 10 }, d(10, 12))).toBe('applicable');
    expect(relation({ b: 10, e: 10 }, d(8, 12))).toBe('applicable');
    expect(relation({ b: 10, e: 10 }, d(8, 10))).toBe('too-old-diff');
    expect(relation({ b: 10, e: 10 }, d(11, 12))).toBe('too-new-diff');
    expect(relation({ b: 10, e: 10 }, d(9, 12, true))).toBe('not-applicable');
  });
});
