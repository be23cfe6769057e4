/**
 * Corruption helpers for the per-rule tests: an independent JS implementation of WalB's checksum
 * (so a test does not trust the code under test to reseal), and byte edits that keep or break it.
 */
import { readFileSync, writeFileSync } from 'node:fs';

/** WalB's checksum: salt plus every LE u32 word (tail zero-padded), stored as two's complement. */
export function walbChecksum(data: Buffer, salt = 0): number {
  let sum = salt >>> 0;
  const words = Math.floor(data.length / 4);
  for (let i = 0; i < words; i++) sum = (sum + data.readUInt32LE(i * 4)) >>> 0;
  const tail = data.length % 4;
  if (tail) {
    const last = Buffer.alloc(4);
    data.copy(last, 0, words * 4);
    sum = (sum + last.readUInt32LE(0)) >>> 0;
  }
  return (~sum + 1) >>> 0;
}

/** Recomputes the checksum field at `field` of the block [start, start+size). */
export function reseal(buf: Buffer, start: number, size: number, field: number, salt = 0): void {
  buf.writeUInt32LE(0, start + field);
  buf.writeUInt32LE(walbChecksum(buf.subarray(start, start + size), salt), start + field);
}

export function edit(src: string, dst: string, fn: (b: Buffer) => Buffer | void): Buffer {
  const b = Buffer.from(readFileSync(src));
  const out = fn(b) ?? b;
  writeFileSync(dst, out);
  return out;
}
