/**
 * The bench:native workload: `files` consecutive wlogs of one device (pbs 4096) holding `totalBytes`
 * of writes of 4 KiB–1 MiB at random 4 KiB-aligned addresses of a `volumeBytes` volume; half of the
 * writes compress (text-like runs), half are random bytes. Written through the data path's own writer.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

import { writeWlog, type WlogIo } from '../../native/lib/index.js';

export interface Workload {
  wlogs: string[];
  dataBytes: number;
}

// A 4 MiB pool of text-like runs (compresses about 3x with lz4); writes take slices of it with a few
// random bytes stamped in, so no two compressible writes are identical.
let pool: Buffer | undefined;
function compressible(bytes: number): Buffer {
  if (!pool) {
    const words = ['block ', 'device ', 'walb ', 'log ', 'diff ', 'lsid ', '0000', 'ffff', '\n', 'snapshot ', 'archive '];
    const parts: string[] = [];
    let s = 7;
    let len = 0;
    while (len < 4 << 20) {
      s = (s * 1103515245 + 12345) >>> 0;
      const w = words[(s >>> 16) % words.length]!;
      parts.push(w);
      len += w.length;
    }
    pool = Buffer.from(parts.join('')).subarray(0, 4 << 20);
  }
  const start = Math.floor(Math.random() * (pool.length - bytes));
  const b = Buffer.from(pool.subarray(start, start + bytes));
  for (let i = 0; i < bytes; i += 4096) randomBytes(16).copy(b, i + Math.floor(Math.random() * 4000));
  return b;
}

export async function makeWorkload(dir: string, opts: { totalBytes: number; files: number; volumeBytes: number }): Promise<Workload> {
  const perFile = Math.floor(opts.totalBytes / opts.files);
  const uuid = randomBytes(16);
  const volumeBlocks4k = Math.floor(opts.volumeBytes / 4096);
  const wlogs: string[] = [];
  let lsid = 0;
  let dataBytes = 0;
  let seed = 1;
  for (let f = 0; f < opts.files; f++) {
    const ios: WlogIo[] = [];
    let bytes = 0;
    while (bytes < perFile) {
      const pages = 1 + Math.floor(Math.random() * 256); // 4 KiB .. 1 MiB
      const size = pages * 4096;
      const page = Math.floor(Math.random() * (volumeBlocks4k - pages));
      const data = seed++ % 2 ? compressible(size) : randomBytes(size);
      ios.push({ kind: 'write', address: page * 8, blocks: pages * 8, data });
      bytes += size;
    }
    const path = join(dir, `w${String(f).padStart(2, '0')}.wlog`);
    const { endLsid } = await writeWlog(path, { pbs: 4096, uuid, beginLsid: lsid }, ios);
    lsid = endLsid;
    dataBytes += bytes;
    wlogs.push(path);
  }
  return { wlogs, dataBytes };
}
