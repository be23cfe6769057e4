/**
 * The checksums of a received image's bulks (the base's sidecar, archive/base-sums.md), hashed from
 * the bytes as the receiver writes them, so a full backup that lands needs no re-read of its image.
 * The hashes of each checkpoint's bulks go to `sums` beside the partial and are fsynced before the
 * checkpoint's state record, so a resumed stream takes up the hashes of what it holds.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

import { loadAddon } from '../../load.js';

interface BulkSumsAddon {
  bulkSumsBegin(sizeBytes: number, bulkSize: number, fromByte: number): object;
  bulkSumsUpdate(state: object, parts: readonly Buffer[] | number, hashes: Buffer): number;
}
const addon = loadAddon<BulkSumsAddon>();

export class StreamSums {
  private readonly state: object;

  private constructor(
    private readonly fh: FileHandle,
    readonly bulkSize: number,
    readonly sizeBytes: number,
    /** 8 bytes (XXH3-64, little-endian) per bulk; those before the position are final. */
    readonly hashes: Buffer,
    from: number,
  ) {
    this.state = addon.bulkSumsBegin(sizeBytes, bulkSize, from);
    this.position = from;
  }

  /** Bytes hashed so far (from the image's start). */
  position: number;

  /**
   * Opens the partial's sums at `from` (0: a fresh file). Null when the stream's checkpoints are not
   * on bulk boundaries, or a resumed partial has no sums for what it holds (made by an older build):
   * the caller then hashes the image once it is written.
   */
  static async open(dir: string, o: { sizeBytes: number; bulkSize: number; checkpointBytes: number; from: number }): Promise<StreamSums | null> {
    if (o.checkpointBytes % o.bulkSize !== 0 || o.from % o.bulkSize !== 0) return null;
    const path = join(dir, 'sums');
    const hashes = Buffer.alloc(Math.ceil(o.sizeBytes / o.bulkSize) * 8);
    if (o.from === 0) return new StreamSums(await open(path, 'w'), o.bulkSize, o.sizeBytes, hashes, 0);
    const fh = await open(path, 'r+').catch(() => null);
    if (!fh) return null;
    const need = (o.from / o.bulkSize) * 8;
    const { bytesRead } = await fh.read(hashes, 0, need, 0);
    if (bytesRead !== need) {
      await fh.close();
      return null;
    }
    return new StreamSums(fh, o.bulkSize, o.sizeBytes, hashes, o.from);
  }

  /** The next bytes of the image, in parts, or a count of zeros. */
  update(bytes: readonly Buffer[] | number): void {
    this.position = addon.bulkSumsUpdate(this.state, bytes, this.hashes);
  }

  /** Makes the hashes of the bulks in [from, to) durable (to: a checkpoint, on a bulk boundary). */
  async persist(from: number, to: number): Promise<void> {
    const a = Math.floor(from / this.bulkSize) * 8;
    const b = Math.ceil(to / this.bulkSize) * 8;
    let at = a;
    while (at < b) at += (await this.fh.write(this.hashes, at, b - at, at)).bytesWritten;
    await this.fh.sync();
  }

  /** The hashes when every byte of the image was hashed, else null. */
  complete(): { bulkSize: number; hashes: Buffer } | null {
    return this.position === this.sizeBytes ? { bulkSize: this.bulkSize, hashes: this.hashes } : null;
  }

  async close(): Promise<void> {
    await this.fh.close().catch(() => {});
  }
}
