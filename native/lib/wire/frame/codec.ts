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
  /** The payload in one buffer (a frame that came in parts is joined, once, when this is read). */
  readonly payload: Buffer;
  /** The payload's length. */
  size: number;
  /**
   * A large payload that arrived across several reads, as views of them in order (no copy made);
   * absent when the payload is one view. TLS hands a reader 16 KiB at a time, so a 1 MiB data frame
   * is 64 parts: joining them costs a copy into a fresh buffer (a page fault per 4 KiB) per byte.
   */
  parts?: readonly Buffer[];
}

/** Payloads at least this large that span reads are handed out in parts. */
export const PARTS_FROM = 64 * 1024;
/** ... and span at most this many reads (a 4 MiB frame in TLS's 16 KiB reads; one pwritev takes them). */
const MAX_PARTS = 257;

function partsFrame(type: number, flags: number, parts: Buffer[], size: number): Frame {
  let joined: Buffer | null = null;
  return {
    type,
    flags,
    size,
    parts,
    get payload(): Buffer {
      joined ??= Buffer.concat(parts, size);
      return joined;
    },
  };
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

/** What is wrong with a header, or null; `payload` given (whole or in parts), the checksum is checked too. */
export function headerProblem(h: Buffer, maxPayload: number, payload?: Buffer | readonly Buffer[]): string | null {
  if (h.readUInt16LE(0) !== FRAME_MAGIC) return `magic 0x${h.readUInt16LE(0).toString(16)} is not 0x${FRAME_MAGIC.toString(16)}`;
  const len = h.readUInt32LE(4);
  if (len > maxPayload) return `payload length ${len} exceeds ${maxPayload}`;
  const parts = payload === undefined ? null : Buffer.isBuffer(payload) ? [payload] : payload;
  if (parts && frameSum(h.subarray(0, 8), h.readUInt8(3), parts) !== h.readUInt32LE(8)) return h.readUInt8(3) & FLAG_XXH3 ? 'xxh3 checksum mismatch' : 'crc32 mismatch';
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
      if (len >= PARTS_FROM && this.chunks[0]!.length < HEADER_BYTES + len && this.spans(HEADER_BYTES + len) <= MAX_PARTS) {
        const h = Buffer.from(this.take(HEADER_BYTES));
        const parts = this.takeParts(len);
        const badSum = headerProblem(h, this.maxPayload, parts);
        if (badSum) throw Object.assign(new Error(badSum), { offset: this.consumed, rule: badSum });
        this.consumed += HEADER_BYTES + len;
        out.push(partsFrame(h.readUInt8(2), h.readUInt8(3), parts, len));
        continue;
      }
      const all = this.take(HEADER_BYTES + len);
      const payload = all.subarray(HEADER_BYTES);
      const badSum = headerProblem(all.subarray(0, HEADER_BYTES), this.maxPayload, payload);
      if (badSum) throw Object.assign(new Error(badSum), { offset: this.consumed, rule: badSum });
      this.consumed += HEADER_BYTES + len;
      out.push({ type: all.readUInt8(2), flags: all.readUInt8(3), payload, size: len });
    }
    return out;
  }

  /** How many of the buffered reads the next `n` bytes span. */
  private spans(n: number): number {
    let k = 0;
    for (let at = 0; at < n; k++) at += this.chunks[k]!.length;
    return k;
  }

  /** The next `n` bytes as views of the reads that hold them, in order (no copy). */
  private takeParts(n: number): Buffer[] {
    const parts: Buffer[] = [];
    this.buffered -= n;
    let left = n;
    while (left > 0) {
      const c = this.chunks[0]!;
      if (c.length <= left) {
        parts.push(c);
        this.chunks.shift();
        left -= c.length;
      } else {
        parts.push(c.subarray(0, left));
        this.chunks[0] = c.subarray(left);
        left = 0;
      }
    }
    return parts;
  }

  /** The next `n` bytes without taking them: a view, or a copy of just those bytes when they span reads. */
  private peek(n: number): Buffer {
    if (this.chunks[0]!.length >= n) return this.chunks[0]!.subarray(0, n);
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    for (const c of this.chunks) {
      at += c.copy(out, at, 0, Math.min(c.length, n - at));
      if (at === n) break;
    }
    return out;
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
