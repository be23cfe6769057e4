/**
 * A batch's wlog read straight out of the wdev's log ring, for the wire: its header block and end
 * block come from the frame `walbctl-wdev extract --frame-only` wrote (which also walked and checked
 * the packs' headers and found where the batch ends), and every byte between them is read from the
 * ldev at the ring position of its lsid — no copy of the log into a file and back. The range stays
 * in the ring until the proxy acknowledged it (it is freed only then), so a resend reads the same
 * bytes. The ring is read with O_DIRECT where the file system allows it (direct-read.ts): the wdev
 * server writes it directly, and a buffered read-back cost the storage a page-cache copy per byte
 * shipped and made the server's next direct writes invalidate the cached pages.
 */
import { readFile } from 'node:fs/promises';

import { openForDirectReads } from '../direct-read.js';
import type { ByteSource } from '../wire/stream/source.js';

/** ldev byte offset of ring block 0 (native/wdev/layout.h kRingOffset). */
export const RING_OFFSET = 8192;
/** A wlog file's header block (native/src/format/layout.h kWlogHeaderSize). */
export const WLOG_HEADER_BYTES = 4096;

export interface RingRange {
  /** The batch's lsids, [from, to). */
  from: number;
  to: number;
  ringBlocks: number;
  pbs: number;
}

/** The wlog's size: header block, the packs' blocks, end block. */
export function ringWlogBytes(r: RingRange): number {
  return WLOG_HEADER_BYTES + (r.to - r.from) * r.pbs + r.pbs;
}

/** Opens the wlog of `r` over `ldev`, with the header and end blocks of the frame file `framePath`. */
export async function openRingWlog(ldev: string, framePath: string, r: RingRange): Promise<ByteSource> {
  const frame = await readFile(framePath);
  if (frame.length !== WLOG_HEADER_BYTES + r.pbs) throw new Error(`${framePath}: a wlog frame has ${WLOG_HEADER_BYTES + r.pbs} bytes, this one ${frame.length}`);
  const fh = await openForDirectReads(ldev);
  const ringStart = WLOG_HEADER_BYTES;
  const ringEnd = ringStart + (r.to - r.from) * r.pbs;
  const total = ringEnd + r.pbs;
  return {
    async read(buf, offset, length, position) {
      if (position >= total || length <= 0) return 0;
      if (position < ringStart) {
        const n = Math.min(length, ringStart - position);
        frame.copy(buf, offset, position, position + n);
        return n;
      }
      if (position >= ringEnd) {
        const n = Math.min(length, total - position);
        const at = WLOG_HEADER_BYTES + (position - ringEnd);
        frame.copy(buf, offset, at, at + n);
        return n;
      }
      const rel = position - ringStart;
      const within = rel % r.pbs;
      const slot = (r.from + (rel - within) / r.pbs) % r.ringBlocks;
      // Up to the ring's end at most: the next block wraps to ring block 0.
      const n = Math.min(length, ringEnd - position, (r.ringBlocks - slot) * r.pbs - within);
      const at = RING_OFFSET + slot * r.pbs + within;
      let got = 0;
      while (got < n) {
        const bytesRead = await fh.read(buf, offset + got, n - got, at + got);
        if (bytesRead === 0) throw new Error(`${ldev}: ends at byte ${at + got}, inside the log ring (lsids ${r.from}-${r.to})`);
        got += bytesRead;
      }
      return n;
    },
    close: () => fh.close(),
  };
}
