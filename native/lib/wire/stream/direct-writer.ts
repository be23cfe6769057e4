/**
 * The receiver's direct writes (receive.ts): a stream's bytes are copied from its frames into
 * 4096-aligned chunks, and each whole chunk is written with one `pwrite` through a second descriptor
 * opened with O_DIRECT. The bytes do not go through the page cache, so the kernel neither copies them
 * there (on this VM the buffered receiver's writes cost as much system time as the whole pipeline's
 * receiving end, and its receive loop waited on them for 3 of a diff replication's 7 s) nor writes
 * them back when the checkpoint's fsync comes; the fsync then only flushes the disk's cache.
 *
 * Chunks are aligned to the stream's checkpoints: the chunk size divides checkpointBytes and a stream
 * starts (or resumes) at a checkpoint, so a checkpoint always falls at the end of a chunk and every
 * checkpoint's bytes have been submitted whole when it comes (no block is ever written twice). The
 * last chunk of the stream is written at commit (`finish`): its aligned part direct, the rest (less
 * than 4096 bytes, at the end of the file) through the caller's buffered descriptor. A chunk of
 * nothing but zero frames is not written: the file is all zeros past the stream's start (the receiver
 * makes it so), as the buffered path leaves it.
 *
 * `open` answers null where direct writes cannot be used (a file system that refuses O_DIRECT such as
 * tmpfs, a checkpoint size that is not a multiple of 4096, WALBCTL_NO_DIRECT_IO=1): the receiver then
 * writes buffered, as before.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

import { loadAddon } from '../../load.js';

const ALIGN = 4096;
/** The largest chunk: a 1 MiB frame is copied into one, and one pwrite carries it. */
const MAX_CHUNK = 4 << 20;

const addon = loadAddon<{ alignedBuffer(size: number): Buffer }>();

/**
 * Chunks kept for the next stream (a replication receives its diffs one stream after another): a
 * fresh 4 MiB allocation is a new mapping whose every page faults in again.
 */
const spare = new Map<number, Buffer[]>();
const SPARE_PER_SIZE = 6;
const takeChunk = (size: number): Buffer => spare.get(size)?.pop() ?? addon.alignedBuffer(size);

/** The largest power of two that divides `checkpointBytes`, between 4096 and 4 MiB (0: none). */
export function chunkSizeFor(checkpointBytes: number): number {
  if (!Number.isSafeInteger(checkpointBytes) || checkpointBytes <= 0 || checkpointBytes % ALIGN !== 0) return 0;
  let c = MAX_CHUNK;
  while (checkpointBytes % c !== 0) c /= 2;
  return c;
}

export class DirectWriter {
  private readonly free: Buffer[] = [];
  private chunk: Buffer;
  /** Stream offset of the current chunk's first byte, how much of it is filled, and whether any of it is data. */
  private base: number;
  private fill = 0;
  private hasData = false;

  private constructor(
    private readonly path: string,
    private readonly fh: FileHandle,
    readonly chunkSize: number,
    from: number,
  ) {
    this.base = from;
    this.chunk = takeChunk(chunkSize);
  }

  /**
   * A direct writer for the stream's data file from stream offset `from` (a checkpoint), or null
   * where direct writes cannot be used.
   */
  static async open(path: string, from: number, checkpointBytes: number): Promise<DirectWriter | null> {
    if (process.env.WALBCTL_NO_DIRECT_IO) return null;
    const chunkSize = chunkSizeFor(checkpointBytes);
    if (chunkSize === 0 || from % chunkSize !== 0) return null;
    const fh = await open(path, constants.O_WRONLY | constants.O_DIRECT).catch(() => null);
    return fh && new DirectWriter(path, fh, chunkSize, from);
  }

  /**
   * Copies the frame's bytes (`parts`, or `length` zeros when null) into the chunks. Resolves with
   * the writes of the chunks it filled (none, or one per chunk): the caller keeps them in flight and
   * waits for them before a checkpoint. The frame's buffers are free again when this returns.
   */
  add(parts: readonly Buffer[] | null, length: number): Promise<void>[] {
    const writes: Promise<void>[] = [];
    if (parts === null) {
      for (let left = length; left > 0;) {
        const n = Math.min(left, this.chunkSize - this.fill);
        this.chunk.fill(0, this.fill, this.fill + n);
        this.fill += n;
        left -= n;
        if (this.fill === this.chunkSize) writes.push(this.submit());
      }
      return writes;
    }
    for (const p of parts) {
      for (let at = 0; at < p.length;) {
        const n = Math.min(p.length - at, this.chunkSize - this.fill);
        p.copy(this.chunk, this.fill, at, at + n);
        this.fill += n;
        this.hasData = true;
        at += n;
        if (this.fill === this.chunkSize) writes.push(this.submit());
      }
    }
    return writes;
  }

  /**
   * Writes what is left of the last chunk: its 4096-aligned part direct, the tail through `buffered`
   * (the receiver's descriptor of the same file). Call once every submitted write has landed.
   */
  async finish(buffered: FileHandle): Promise<void> {
    if (this.fill === 0) return;
    const aligned = this.fill - (this.fill % ALIGN);
    if (this.hasData && aligned > 0) await this.writeAll(this.chunk, aligned, this.base);
    if (this.hasData && this.fill > aligned) {
      const tail = this.chunk.subarray(aligned, this.fill);
      let done = 0;
      while (done < tail.length) done += (await buffered.write(tail, done, tail.length - done, this.base + aligned + done)).bytesWritten;
    }
    this.base += this.fill;
    this.fill = 0;
    this.hasData = false;
  }

  /** Closes the descriptor once its writes have landed (a FileHandle waits for them); the chunks go back for the next stream. */
  async close(): Promise<void> {
    await this.fh.close().catch(() => {});
    const kept = spare.get(this.chunkSize) ?? [];
    for (const b of [this.chunk, ...this.free.splice(0)]) if (kept.length < SPARE_PER_SIZE) kept.push(b);
    spare.set(this.chunkSize, kept);
  }

  /** Submits the full current chunk and moves to a free one. */
  private submit(): Promise<void> {
    const buf = this.chunk;
    const at = this.base;
    const data = this.hasData;
    this.base += this.chunkSize;
    this.fill = 0;
    this.hasData = false;
    this.chunk = this.free.pop() ?? takeChunk(this.chunkSize);
    if (!data) {
      this.free.push(buf);
      return Promise.resolve();
    }
    // The buffer comes back to `free` once its write has landed (or failed: the stream fails then).
    return this.writeAll(buf, buf.length, at).finally(() => this.free.push(buf));
  }

  private async writeAll(buf: Buffer, length: number, at: number): Promise<void> {
    let done = 0;
    while (done < length) {
      const { bytesWritten } = await this.fh.write(buf, done, length - done, at + done);
      // A short direct write leaves an aligned remainder only when it stopped at a block boundary.
      if (bytesWritten <= 0 || bytesWritten % ALIGN !== 0) throw new Error(`${this.path}: direct write at byte ${at + done} wrote ${bytesWritten} of ${length - done} bytes`);
      done += bytesWritten;
    }
  }
}
