/**
 * The frame layer's byte format (spec.md, "Frames"): a 12-byte header — magic "WF", type, flags,
 * payload length (u32 LE), checksum (u32 LE) of the header's first 8 bytes and the payload — then
 * the payload. The checksum is zlib's crc32, or with flag FLAG_XXH3 the low 32 bits of XXH3-64
 * (protocol version 2: a sender sets it once the peer's hello says it reads it). It knows nothing of
 * what the payload means.
 */
import { crc32 } from 'node:zlib';

import { loadAddon } from '../../load.js';

export const FRAME_MAGIC = 0x4657; // "WF" read as u16 LE
export const HEADER_BYTES = 12;
/** Largest payload a peer accepts (a data frame carries at most 1 MiB plus its small header). */
export const MAX_PAYLOAD = 4 * 1024 * 1024;

/** Flag bit: the checksum is XXH3-64's low 32 bits, not crc32. */
export const FLAG_XXH3 = 0x01;

const addon = loadAddon<{ wireFrameSum(parts: readonly Buffer[]): number }>();

/** The checksum of a header's first 8 bytes and the payload's parts, by the header's flags. */
function frameSum(head8: Buffer, flags: number, parts: readonly Buffer[]): number {
  if (flags & FLAG_XXH3) return addon.wireFrameSum([head8, ...parts]);
  let sum = crc32(head8);
  for (const p of parts) sum = crc32(p, sum);
  return sum;
}

/** Frame types the frame layer handles itself; the protocol uses 1..0xef. */
export const PING = 0xf0;
export const PONG = 0xf1;

export interface Frame {
  type: number;
  flags: number;
  payload: Buffer;
}

/** The header of a frame whose payload is `parts` concatenated (no copy of the parts is made). */
export function frameHeader(type: number, flags: number, parts: readonly Buffer[]): Buffer {
  return writeFrameHeader(Buffer.allocUnsafe(HEADER_BYTES), type, flags, parts);
}

/** Writes the header of a frame whose payload is `parts` into `h`'s first HEADER_BYTES; returns `h`. */
export function writeFrameHeader(h: Buffer, type: number, flags: number, parts: readonly Buffer[]): Buffer {
  h.writeUInt16LE(FRAME_MAGIC, 0);
  h.writeUInt8(type, 2);
  h.writeUInt8(flags, 3);
  h.writeUInt32LE(
    parts.reduce((n, p) => n + p.length, 0),
    4,
  );
  h.writeUInt32LE(frameSum(h.subarray(0, 8), flags, parts), 8);
  return h;
}

/** What is wrong with a header, or null; `payload` given, the checksum is checked too. */
export function headerProblem(h: Buffer, maxPayload: number, payload?: Buffer): string | null {
  if (h.readUInt16LE(0) !== FRAME_MAGIC) return `magic 0x${h.readUInt16LE(0).toString(16)} is not 0x${FRAME_MAGIC.toString(16)}`;
  const len = h.readUInt32LE(4);
  if (len > maxPayload) return `payload length ${len} exceeds ${maxPayload}`;
  if (payload && frameSum(h.subarray(0, 8), h.readUInt8(3), [payload]) !== h.readUInt32LE(8)) return h.readUInt8(3) & FLAG_XXH3 ? 'xxh3 checksum mismatch' : 'crc32 mismatch';
  return null;
}

/**
 * Splits an inbound byte stream into frames. `push` returns the complete frames; a broken frame
 * throws {offset, rule} where offset is the frame's first byte in the inbound stream.
 */
export class FrameParser {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Inbound bytes consumed into complete frames so far. */
  consumed = 0;

  constructor(private readonly maxPayload = MAX_PAYLOAD) {}

  push(data: Buffer): Frame[] {
    this.chunks.push(data);
    this.buffered += data.length;
    const out: Frame[] = [];
    for (;;) {
      if (this.buffered < HEADER_BYTES) break;
      const head = this.peek(HEADER_BYTES);
      const bad = headerProblem(head, this.maxPayload);
      if (bad) throw Object.assign(new Error(bad), { offset: this.consumed, rule: bad });
      const len = head.readUInt32LE(4);
      if (this.buffered < HEADER_BYTES + len) break;
      const all = this.take(HEADER_BYTES + len);
      const payload = all.subarray(HEADER_BYTES);
      const badSum = headerProblem(all.subarray(0, HEADER_BYTES), this.maxPayload, payload);
      if (badSum) throw Object.assign(new Error(badSum), { offset: this.consumed, rule: badSum });
      this.consumed += HEADER_BYTES + len;
      out.push({ type: all.readUInt8(2), flags: all.readUInt8(3), payload });
    }
    return out;
  }

  private peek(n: number): Buffer {
    if (this.chunks[0]!.length >= n) return this.chunks[0]!.subarray(0, n);
    this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0]!.subarray(0, n);
  }

  /** The next `n` bytes: a view when one chunk holds them, else one copy of exactly those bytes. */
  private take(n: number): Buffer {
    const first = this.chunks[0]!;
    this.buffered -= n;
    if (first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    let i = 0;
    while (at < n) {
      const c = this.chunks[i]!;
      const k = Math.min(c.length, n - at);
      c.copy(out, at, 0, k);
      at += k;
      if (k === c.length) i++;
      else this.chunks[i] = c.subarray(k);
    }
    this.chunks.splice(0, i);
    return out;
  }
}
