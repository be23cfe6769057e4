/**
 * A DATA frame of a stream: offset u64 LE, codec u8, raw length u32 LE, then the bytes (none for
 * a run of zeros). Encoding picks lz4 only when both sides speak it and it saves bytes.
 */
import { compress, uncompress } from 'lz4-napi';

import { ProtocolError, type PeerRef } from '../errors.js';
import { CODEC_ID, DATA_HEADER, type WireCodec } from '../protocol/messages.js';

const ZEROS = Buffer.alloc(4 * 1024 * 1024);

export function isZero(buf: Buffer): boolean {
  for (let i = 0; i < buf.length; i += ZEROS.length) {
    const part = buf.subarray(i, i + ZEROS.length);
    if (!part.equals(ZEROS.subarray(0, part.length))) return false;
  }
  return true;
}

export function zeros(n: number): Buffer {
  return ZEROS.subarray(0, n);
}

/**
 * The frame's parts for `raw` at `offset`; `wireBytes` is what goes on the wire after the header.
 * Compression runs on libuv's pool, so the next frame is compressed while this one is sent.
 */
export async function encodeData(offset: number, raw: Buffer, codecs: readonly WireCodec[]): Promise<{ parts: Buffer[]; wireBytes: number }> {
  const head = Buffer.allocUnsafe(DATA_HEADER);
  head.writeBigUInt64LE(BigInt(offset), 0);
  head.writeUInt32LE(raw.length, 9);
  if (isZero(raw)) {
    head.writeUInt8(CODEC_ID.zero, 8);
    return { parts: [head], wireBytes: 0 };
  }
  if (codecs.includes('lz4')) {
    const packed = await compress(raw);
    if (packed.length < raw.length * 0.95) {
      head.writeUInt8(CODEC_ID.lz4, 8);
      return { parts: [head, packed], wireBytes: packed.length };
    }
  }
  head.writeUInt8(CODEC_ID.none, 8);
  return { parts: [head, raw], wireBytes: raw.length };
}

export interface DataChunk {
  offset: number;
  /** The raw bytes; null for a run of `length` zeros. */
  bytes: Buffer | null;
  length: number;
}

export async function decodeData(peer: PeerRef, payload: Buffer): Promise<DataChunk> {
  if (payload.length < DATA_HEADER) throw new ProtocolError(peer, `data frame of ${payload.length} bytes is shorter than its ${DATA_HEADER}-byte header`);
  const offset = Number(payload.readBigUInt64LE(0));
  const codec = payload.readUInt8(8);
  const length = payload.readUInt32LE(9);
  const body = payload.subarray(DATA_HEADER);
  if (codec === CODEC_ID.zero) return { offset, bytes: null, length };
  if (codec === CODEC_ID.none) {
    if (body.length !== length) throw new ProtocolError(peer, `data frame at stream offset ${offset}: ${body.length} bytes, header says ${length}`);
    return { offset, bytes: body, length };
  }
  if (codec === CODEC_ID.lz4) {
    let bytes: Buffer;
    try {
      bytes = await uncompress(body);
    } catch (e) {
      throw new ProtocolError(peer, `data frame at stream offset ${offset}: lz4 does not decode (${(e as Error).message})`);
    }
    if (bytes.length !== length) throw new ProtocolError(peer, `data frame at stream offset ${offset}: decodes to ${bytes.length} bytes, header says ${length}`);
    return { offset, bytes, length };
  }
  throw new ProtocolError(peer, `data frame at stream offset ${offset}: unknown codec ${codec}`);
}
