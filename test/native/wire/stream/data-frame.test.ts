/**
 * Data frames: each codec round-trips (zstd and lz4 in the addon, raw, a run of zeros), data that
 * does not shrink by 5 % goes raw, the first compressing codec of the session's list is used, and
 * a compressed body that does not decode to the header's length is refused naming the offset. A
 * payload in parts (cut anywhere, the header too) decodes to the same bytes, raw ones as views.
 */
import { randomBytes } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { decodeData, decodeDataParts, encodeData } from '../../../../native/lib/wire/stream/data-frame.js';
import { CODEC_ID } from '../../../../native/lib/wire/protocol/messages.js';

const peer = { host: 'ar-1', address: '127.0.0.12:7400' };
const text = Buffer.alloc(1 << 20, 'the same words again and again; ');

async function roundTrip(raw: Buffer, codecs: ('none' | 'lz4' | 'zstd')[]) {
  const f = await encodeData(4096, raw, codecs);
  const payload = Buffer.concat(f.parts);
  const back = await decodeData(peer, payload);
  return { codec: payload.readUInt8(8), wireBytes: f.wireBytes, back };
}

describe('data frames', () => {
  for (const [codecs, id] of [[['zstd', 'none'], CODEC_ID.zstd], [['lz4', 'zstd', 'none'], CODEC_ID.lz4], [['none'], CODEC_ID.none]] as const) {
    it(`round-trips compressible data offered ${codecs.join(', ')} (codec ${id})`, async () => {
      const r = await roundTrip(text, [...codecs]);
      expect(r.codec).toBe(id);
      expect(r.back).toMatchObject({ offset: 4096, length: text.length });
      expect(r.back.bytes!.equals(text)).toBe(true);
      if (id !== CODEC_ID.none) expect(r.wireBytes).toBeLessThan(text.length / 10);
    });
  }

  it('builds a compressed frame in place behind room for the frame header when asked', async () => {
    for (const codec of ['zstd', 'lz4'] as const) {
      const f = await encodeData(0, text, [codec], 12);
      expect(f.built!.subarray(12).equals(Buffer.concat(f.parts))).toBe(true);
      expect((await decodeData(peer, f.built!.subarray(12))).bytes!.equals(text)).toBe(true);
    }
  });

  it('sends random data raw even when a codec is offered, and a run of zeros as a header alone', async () => {
    const random = randomBytes(1 << 20);
    const r = await roundTrip(random, ['zstd', 'lz4', 'none']);
    expect(r.codec).toBe(CODEC_ID.none);
    expect(r.back.bytes!.equals(random)).toBe(true);
    const z = await roundTrip(Buffer.alloc(1 << 20), ['zstd']);
    expect({ codec: z.codec, wireBytes: z.wireBytes, bytes: z.back.bytes, length: z.back.length }).toEqual({ codec: CODEC_ID.zero, wireBytes: 0, bytes: null, length: 1 << 20 });
  });

  it('refuses a compressed body that does not decode to the header’s length, naming the stream offset', async () => {
    for (const codec of ['zstd', 'lz4'] as const) {
      const f = await encodeData(8192, text, [codec]);
      const payload = Buffer.concat(f.parts);
      const short = Buffer.from(payload);
      short.writeUInt32LE(text.length - 1, 9);
      await expect(decodeData(peer, short)).rejects.toThrow(new RegExp(`offset 8192: ${codec} does not decode`));
      const cut = payload.subarray(0, payload.length - 7);
      await expect(decodeData(peer, cut)).rejects.toThrow(/does not decode/);
    }
  });

  it('decodes a payload cut into parts anywhere, the header too, raw bytes as views of the parts', async () => {
    const raw = randomBytes(70_000);
    for (const codecs of [['none'], ['lz4'], ['zstd']] as const) {
      const payload = Buffer.concat((await encodeData(512, codecs[0] === 'none' ? raw : text, [...codecs])).parts);
      for (const cuts of [[5], [13], [1, 2, 3, 20], [16384, 32768]]) {
        const parts: Buffer[] = [];
        let at = 0;
        for (const c of [...cuts, payload.length]) {
          parts.push(payload.subarray(at, c));
          at = c;
        }
        const back = await decodeDataParts(peer, parts);
        expect(back).toMatchObject({ offset: 512, length: codecs[0] === 'none' ? raw.length : text.length });
        expect(Buffer.concat(back.parts!).equals(codecs[0] === 'none' ? raw : text)).toBe(true);
        if (codecs[0] === 'none') expect(back.parts!.every((p) => p.buffer === payload.buffer)).toBe(true);
      }
    }
  });
});
