/**
 * Whether a wdiff's records carry compressed data already (lz4, zstd, snappy, gzip: WalB's codecs),
 * read from its first pack headers. Such a diff goes on the wire with the raw codec: compressing
 * compressed records again saves a few per cent of the bytes at the cost of a compression on the
 * sender and a decompression on the receiver per byte (bench:replicate, native/lib/replicate/design.md).
 * Layout (spec/walb-formats.md): a 32-byte file header (byte 6: 0 sorted), then packs: a 4096-byte
 * block (n_records u16 at 4, flags u8 at 6, total_size u32 at 8, records of 32 bytes from 16: flags
 * at 12, compression at 13, data_size u32 at 20), then total_size bytes of data.
 */
import { open } from 'node:fs/promises';

const HEADER = 32;
const PACK = 4096;
/** Packs looked at, at most: a wdiff's writer uses one codec for every record. */
const PACKS = 4;
const NO_DATA = 0x02 | 0x04; // ALLZERO, DISCARD

export async function wdiffRecordsCompressed(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(HEADER);
    if ((await fh.read(head, 0, HEADER, 0)).bytesRead < HEADER || head.readUInt8(6) !== 0) return false;
    const block = Buffer.alloc(PACK);
    let at = HEADER;
    let packed = 0;
    let raw = 0;
    for (let p = 0; p < PACKS; p++) {
      if ((await fh.read(block, 0, PACK, at)).bytesRead < PACK) break;
      const n = Math.min(block.readUInt16LE(4), 127);
      if (block.readUInt8(6) & 0x01) break;
      for (let i = 0; i < n; i++) {
        const r = 16 + 32 * i;
        if (block.readUInt8(r + 12) & NO_DATA) continue;
        const size = block.readUInt32LE(r + 20);
        if (block.readUInt8(r + 13) === 0) raw += size;
        else packed += size;
      }
      at += PACK + block.readUInt32LE(8);
    }
    return packed > 0 && packed >= 9 * raw;
  } finally {
    await fh.close();
  }
}
