/**
 * The base image's checksum sidecar, `base.sums` (format in base-sums.md): the image's size, the base
 * snapshot it was made for, and one XXH3-64 per bulk, closed by a CRC-32 of everything before it.
 * This module only encodes and decodes; a bad file is reported with its path, byte offset and field.
 */
import { crc32 } from 'node:zlib';

import { InputError } from '../../../common/errors.js';
import { atomicWriteFile } from '../../../common/atomic-write.js';
import { readFile } from 'node:fs/promises';

export const SUMS_MAGIC = 'WALBSUMS';
export const SUMS_VERSION = 1;
export const SUMS_HEADER = 48;
/** Default bulk: 1 MiB, so a restore checks as it reads and an apply re-hashes little. */
export const SUMS_BULK = 1 << 20;

export interface BaseSums {
  bulkSize: number;
  sizeBytes: number;
  /** The base snapshot `|b,e|` the hashes are of. */
  snap: { b: number; e: number };
  /** 8 bytes (little-endian XXH3-64) per bulk; the last bulk may be short. */
  hashes: Buffer;
}

export function bulkCount(sizeBytes: number, bulkSize: number): number {
  return Math.ceil(sizeBytes / bulkSize);
}

export function encodeSums(s: BaseSums): Buffer {
  const n = bulkCount(s.sizeBytes, s.bulkSize);
  if (s.hashes.length !== n * 8) throw new Error(`base sums: ${s.hashes.length / 8} hashes for ${n} bulks`);
  const out = Buffer.alloc(SUMS_HEADER + n * 8 + 4);
  out.write(SUMS_MAGIC, 0, 'latin1');
  out.writeUInt32LE(SUMS_VERSION, 8);
  out.writeUInt32LE(s.bulkSize, 12);
  out.writeBigUInt64LE(BigInt(s.sizeBytes), 16);
  out.writeBigUInt64LE(BigInt(s.snap.b), 24);
  out.writeBigUInt64LE(BigInt(s.snap.e), 32);
  out.writeBigUInt64LE(BigInt(n), 40);
  s.hashes.copy(out, SUMS_HEADER);
  out.writeUInt32LE(crc32(out.subarray(0, out.length - 4)), out.length - 4);
  return out;
}

function bad(file: string, offset: number, message: string): InputError {
  return new InputError(message, `${file}: byte ${offset}`);
}

function safeU64(buf: Buffer, at: number, file: string, field: string): number {
  const v = buf.readBigUInt64LE(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw bad(file, at, `${field} ${v} is too large`);
  return Number(v);
}

/** Decodes a sidecar; throws an InputError naming `file`, the byte offset and the field. */
export function decodeSums(buf: Buffer, file: string): BaseSums {
  if (buf.length < SUMS_HEADER + 4) throw bad(file, buf.length, `the file has ${buf.length} bytes, shorter than its ${SUMS_HEADER + 4}-byte frame`);
  const magic = buf.toString('latin1', 0, 8);
  if (magic !== SUMS_MAGIC) throw bad(file, 0, `magic ${JSON.stringify(magic)} is not ${SUMS_MAGIC}`);
  const version = buf.readUInt32LE(8);
  if (version !== SUMS_VERSION) throw bad(file, 8, `version ${version} is not supported (this walbctl reads ${SUMS_VERSION})`);
  const crc = buf.readUInt32LE(buf.length - 4);
  const want = crc32(buf.subarray(0, buf.length - 4));
  if (crc !== want) throw bad(file, buf.length - 4, `checksum ${crc} does not match the file's contents (${want}): the sidecar is damaged`);
  const bulkSize = buf.readUInt32LE(12);
  if (bulkSize === 0 || bulkSize % 4096 !== 0) throw bad(file, 12, `bulk size ${bulkSize} is not a positive multiple of 4096`);
  const sizeBytes = safeU64(buf, 16, file, 'image size');
  const snap = { b: safeU64(buf, 24, file, 'base gid b'), e: safeU64(buf, 32, file, 'base gid e') };
  if (snap.e < snap.b) throw bad(file, 32, `base gid e ${snap.e} is before gid b ${snap.b}`);
  const n = safeU64(buf, 40, file, 'bulk count');
  if (n !== bulkCount(sizeBytes, bulkSize)) throw bad(file, 40, `bulk count ${n} is not ceil(${sizeBytes} / ${bulkSize})`);
  if (buf.length !== SUMS_HEADER + n * 8 + 4) throw bad(file, buf.length, `the file has ${buf.length} bytes; ${n} bulks need ${SUMS_HEADER + n * 8 + 4}`);
  return { bulkSize, sizeBytes, snap, hashes: Buffer.from(buf.subarray(SUMS_HEADER, SUMS_HEADER + n * 8)) };
}

/** The sidecar at `path`, or null when there is none (an archive made before base checksums). */
export async function readSums(path: string): Promise<BaseSums | null> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  return decodeSums(buf, path);
}

export async function writeSums(path: string, s: BaseSums): Promise<void> {
  await atomicWriteFile(path, encodeSums(s));
}
