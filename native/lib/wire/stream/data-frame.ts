/**
 * A DATA frame of a stream: offset u64 LE, codec u8, raw length u32 LE, then the bytes (none for
 * a run of zeros). Encoding uses the first compressing codec both sides speak (in the client's
 * order: lz4 by default, zstd when asked first), and only when it saves 5 %. Compression runs in
 * the addon on libuv's pool into buffers V8 owns (native/src/wire/codec.cc).
 */
import { loadAddon } from '../../load.js';
import { ProtocolError, type PeerRef } from '../errors.js';
import { CODEC_ID, DATA_HEADER, type WireCodec } from '../protocol/messages.js';

const ZEROS = Buffer.alloc(4 * 1024 * 1024);

type Packer = 'lz4' | 'zstd';
interface CodecAddon {
  wireCompress(codec: Packer, raw: Buffer, room?: number, out?: Buffer): Promise<Buffer | null>;
  wireDecompress(codec: Packer, packed: Buffer, rawLength: number, out?: Buffer): Promise<Buffer | null>;
}
const addon = loadAddon<CodecAddon>();

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
 * Compression runs on libuv's pool, so the next frame is compressed while this one is sent. With
 * `room` (the frame header's size), a compressed frame also comes `built`: room, then the data
 * header and the compressed bytes in one buffer (the channel's sendBuilt) — a view of `out` when
 * that is given and large enough (compressBound + room + the data header): the caller may reuse
 * `out` at once when the frame is not `built`, else once the frame is sent.
 */
export async function encodeData(offset: number, raw: Buffer, codecs: readonly WireCodec[], room = 0, out?: Buffer): Promise<{ parts: Buffer[]; wireBytes: number; built?: Buffer }> {
  const head = Buffer.allocUnsafe(DATA_HEADER);
  head.writeBigUInt64LE(BigInt(offset), 0);
  head.writeUInt32LE(raw.length, 9);
  if (isZero(raw)) {
    head.writeUInt8(CODEC_ID.zero, 8);
    return { parts: [head], wireBytes: 0 };
  }
  const packer = codecs.find((c): c is Packer => c === 'lz4' || c === 'zstd');
  if (packer) {
    const built = await addon.wireCompress(packer, raw, room + DATA_HEADER, out);
    const packed = built?.subarray(room + DATA_HEADER);
    if (built && packed && packed.length < raw.length * 0.95) {
      head.writeUInt8(CODEC_ID[packer], 8);
      if (room === 0) return { parts: [head, packed], wireBytes: packed.length };
      head.copy(built, room);
      return { parts: [head, packed], wireBytes: packed.length, built };
    }
  }
  head.writeUInt8(CODEC_ID.none, 8);
  return { parts: [head, raw], wireBytes: raw.length };
}

/** The largest raw length a compressed frame may claim (a sender's chunk is at most 1 MiB). */
const MAX_RAW = 4 * 1024 * 1024;

export interface DataChunk {
  offset: number;
  /** The raw bytes; null for a run of `length` zeros. */
  bytes: Buffer | null;
  length: number;
}

export interface DataParts {
  offset: number;
  /** The raw bytes in order (views of the frame's parts when it went raw); null for a run of `length` zeros. */
  parts: Buffer[] | null;
  length: number;
  /** The pool's buffer `parts` is a view of (a compressed frame decoded with a pool): give it back once written. */
  owned?: Buffer;
}

/** Where decodeDataParts takes the buffers of a compressed frame from (stream/buffer-pool.ts). */
export interface DecodePool {
  take(size: number): Buffer;
  give(b: Buffer): void;
}

export async function decodeData(peer: PeerRef, payload: Buffer): Promise<DataChunk> {
  const c = await decodeDataParts(peer, [payload]);
  return { offset: c.offset, bytes: c.parts === null ? null : c.parts.length === 1 ? c.parts[0]! : Buffer.concat(c.parts), length: c.length };
}

/**
 * decodeData for a payload in parts (frame/codec.ts): raw bytes stay views of them, no copy. With
 * `pool`, a compressed frame is joined and decompressed into the pool's buffers (`owned`).
 */
export async function decodeDataParts(peer: PeerRef, payloadParts: readonly Buffer[], pool?: DecodePool): Promise<DataParts> {
  const total = payloadParts.reduce((n, p) => n + p.length, 0);
  if (total < DATA_HEADER) throw new ProtocolError(peer, `data frame of ${total} bytes is shorter than its ${DATA_HEADER}-byte header`);
  const [header, bodyParts] = split(payloadParts, DATA_HEADER);
  const offset = Number(header.readBigUInt64LE(0));
  const codec = header.readUInt8(8);
  const length = header.readUInt32LE(9);
  const bodyLength = total - DATA_HEADER;
  if (codec === CODEC_ID.zero) return { offset, parts: null, length };
  if (codec === CODEC_ID.none) {
    if (bodyLength !== length) throw new ProtocolError(peer, `data frame at stream offset ${offset}: ${bodyLength} bytes, header says ${length}`);
    return { offset, parts: bodyParts, length };
  }
  if (codec === CODEC_ID.lz4 || codec === CODEC_ID.zstd) {
    const name: Packer = codec === CODEC_ID.lz4 ? 'lz4' : 'zstd';
    if (length > MAX_RAW) throw new ProtocolError(peer, `data frame at stream offset ${offset}: raw length ${length} exceeds ${MAX_RAW}`);
    let joined: Buffer | undefined;
    let body: Buffer;
    if (bodyParts.length === 1) body = bodyParts[0]!;
    else if (pool) {
      joined = pool.take(bodyLength);
      let at = 0;
      for (const p of bodyParts) at += p.copy(joined, at);
      body = joined.subarray(0, bodyLength);
    } else body = Buffer.concat(bodyParts, bodyLength);
    const owned = pool?.take(length);
    const bytes = await addon.wireDecompress(name, body, length, owned).finally(() => joined && pool!.give(joined));
    if (!bytes) throw new ProtocolError(peer, `data frame at stream offset ${offset}: ${name} does not decode to the ${length} bytes the header says`);
    return owned && bytes.buffer === owned.buffer ? { offset, parts: [bytes], length, owned } : { offset, parts: [bytes], length };
  }
  throw new ProtocolError(peer, `data frame at stream offset ${offset}: unknown codec ${codec}`);
}

/** The first `n` bytes of `parts` (a view when the first part holds them) and the views of the rest. */
function split(parts: readonly Buffer[], n: number): [Buffer, Buffer[]] {
  let i = 0;
  let head: Buffer;
  if (parts[0]!.length >= n) {
    head = parts[0]!.subarray(0, n);
  } else {
    head = Buffer.allocUnsafe(n);
    let at = 0;
    while (at < n) {
      const p = parts[i]!;
      const k = p.copy(head, at, 0, Math.min(p.length, n - at));
      at += k;
      if (at < n || k === p.length) i++;
      else return [head, [p.subarray(k), ...parts.slice(i + 1)].filter((b) => b.length > 0)];
    }
    return [head, parts.slice(i).filter((b) => b.length > 0)];
  }
  return [head, [parts[0]!.subarray(n), ...parts.slice(1)].filter((b) => b.length > 0)];
}
