/**
 * Test helpers: a seeded random workload on a volume file (writes of random sizes and offsets,
 * zeros, discards as punched holes), sha1 of files, and a fresh storage + archive pair.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { initArchiveVolume } from '../../../native/lib/archive/index.js';
import { initVolume } from '../../../native/lib/storage/index.js';

/** mulberry32: a small seeded PRNG, so a failing seed can be replayed. */
export function rng(seed: number): { next(): number; int(lo: number, hi: number): number; pick<T>(xs: readonly T[]): T } {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)), pick: (xs) => xs[Math.floor(next() * xs.length)]! };
}

export function sha1(path: string): string {
  return createHash('sha1').update(readFileSync(path)).digest('hex');
}

export function writeAt(path: string, offset: number, data: Buffer): void {
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, data, 0, data.length, offset);
  } finally {
    closeSync(fd);
  }
}

export function punch(path: string, offset: number, length: number): void {
  const r = spawnSync('fallocate', ['-p', '-o', String(offset), '-l', String(length), path]);
  if (r.status !== 0) throw new Error(`fallocate -p failed: ${r.stderr}`);
}

/** One random change: a write of random bytes, a write of zeros, or a discard (hole). */
export function randomChange(path: string, size: number, r: ReturnType<typeof rng>): string {
  const len = r.pick([1, 511, 512, 4096, 5000, 65536, 100_000, 300_000]);
  const offset = r.int(0, size - len);
  const kind = r.pick(['data', 'data', 'data', 'zero', 'discard']);
  if (kind === 'data') {
    const buf = Buffer.alloc(len);
    for (let i = 0; i < len; i++) buf[i] = (r.next() * 256) | 0;
    writeAt(path, offset, buf);
  } else if (kind === 'zero') {
    writeAt(path, offset, Buffer.alloc(len));
  } else {
    punch(path, offset, len);
  }
  return `${kind}@${offset}+${len}`;
}

export interface Fixture {
  dir: string;
  dataDir: string;
  vol: string;
  device: string;
  size: number;
}

/** A temp dir with a storage volume (a sparse file of `size` bytes) and its archive, both initialised. */
export async function freshVolume(opts: { size?: number; bulkSize?: number; dir?: string } = {}): Promise<Fixture> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'walbctl-archive-'));
  const size = opts.size ?? 4 << 20;
  const f: Fixture = { dir, dataDir: join(dir, 'data'), vol: 'v', device: join(dir, 'v.img'), size };
  await initVolume(f.dataDir, f.vol, { devicePath: f.device, sizeBytes: size, ...(opts.bulkSize ? { bulkSize: opts.bulkSize } : {}) });
  await initArchiveVolume(f.dataDir, f.vol);
  return f;
}
