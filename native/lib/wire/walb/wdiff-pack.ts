/**
 * A sorted wdiff's pieces as WalB's wdiff-transfer carries them (spec/walb-formats.md, "Sorted
 * wdiff"): the 32-byte file header the receiver writes first, each pack (a 4096-byte header block
 * and its data) checked before it is written, and the END pack that closes the file.
 */
import { checksum } from '../../checksum.js';

export const PACK_HEADER_SIZE = 4096;
/** WALB_DIFF_PACK_MAX_SIZE: the most data after one pack header. */
export const PACK_MAX_DATA = 32 << 20;
const MAX_RECORDS = 127;

/** The 32-byte header of a sorted wdiff (type 0) of the device `uuid` (16 raw bytes). */
export function sortedWdiffHeader(uuid: Buffer): Buffer {
  const b = Buffer.alloc(32);
  b.writeUInt16LE(2, 4);
  b.writeUInt8(0, 6);
  uuid.copy(b, 16);
  b.writeUInt32LE(checksum(b, 0), 0);
  return b;
}

/** The END pack: an all-zero block with flags END and its checksum. */
export function endPack(): Buffer {
  const b = Buffer.alloc(PACK_HEADER_SIZE);
  b.writeUInt8(1, 6);
  b.writeUInt32LE(checksum(b, 0), 0);
  return b;
}

/** What is wrong with a received pack, as [byte offset in the pack, rule], or null when it holds. */
export function checkPack(pack: Buffer): [number, string] | null {
  if (pack.length < PACK_HEADER_SIZE) return [0, `a pack of ${pack.length} bytes is shorter than its 4096-byte header`];
  const head = pack.subarray(0, PACK_HEADER_SIZE);
  if (checksum(head, 0) !== 0) return [0, 'the pack header checksum does not match'];
  const n = head.readUInt16LE(4);
  if (n > MAX_RECORDS) return [4, `n_records ${n} is more than ${MAX_RECORDS}`];
  if (head.readUInt8(6) & 1) return [6, 'an END pack inside the stream (the stream ends with its End marker)'];
  const total = head.readUInt32LE(8);
  if (total !== pack.length - PACK_HEADER_SIZE) return [8, `total_size ${total} is not the ${pack.length - PACK_HEADER_SIZE} data bytes that came`];
  for (let i = 0; i < n; i++) {
    const r = 16 + 32 * i;
    const offset = head.readUInt32LE(r + 16);
    const size = head.readUInt32LE(r + 20);
    if (offset + size > total) return [r + 16, `record ${i}: data at ${offset}+${size} is past the pack's ${total} data bytes`];
    if (size > 0) {
      const data = pack.subarray(PACK_HEADER_SIZE + offset, PACK_HEADER_SIZE + offset + size);
      if (checksum(data, 0) !== head.readUInt32LE(r + 24)) return [PACK_HEADER_SIZE + offset, `record ${i}: the data checksum does not match`];
    }
  }
  return null;
}
