/**
 * Test helpers for the data path: a seeded PRNG, random IO sequences, an in-memory replay of them
 * (the reference an apply must equal), base images and sha1.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { WlogIo } from '../../native/lib/index.js';

export function tempDir(prefix = 'walbctl-native-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function sha1(data: Buffer): string {
  return createHash('sha1').update(data).digest('hex');
}

/** mulberry32: small, seeded, good enough to vary test inputs reproducibly. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const VOLUME_4MIB_BLOCKS = 8192;

export function zeroImage(bytes = 4 << 20): Buffer {
  return Buffer.alloc(bytes);
}

/** The vectors' `pattern` base: byte i = (i*131 + (i>>9)*7) & 0xff. */
export function patternImage(bytes = 4 << 20): Buffer {
  const b = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) b[i] = (i * 131 + (i >> 9) * 7) & 0xff;
  return b;
}

export function writeImage(path: string, image: Buffer): void {
  writeFileSync(path, image);
}

/** Data for `blocks` LB: random, compressible (runs), or all zeros. */
export function blockData(rand: () => number, blocks: number, kind: 'random' | 'runs' | 'zero'): Buffer {
  const b = Buffer.alloc(blocks * 512);
  if (kind === 'zero') return b;
  if (kind === 'runs') {
    let i = 0;
    while (i < b.length) {
      const len = 1 + Math.floor(rand() * 200);
      b.fill(Math.floor(rand() * 4), i, Math.min(b.length, i + len));
      i += len;
    }
    return b;
  }
  for (let i = 0; i < b.length; i += 4) b.writeUInt32LE(Math.floor(rand() * 4294967296), i);
  return b;
}

export interface RandomLogOptions {
  volumeBlocks: number;
  ios: number;
  maxBlocks: number;
  /** Chance of a discard, an all-zero write, a padding record, a pack flush. */
  discard?: number;
  zero?: number;
  padding?: number;
  flush?: number;
}

/** A random write sequence with overlaps, discards, zero writes, padding and pack boundaries. */
export function randomIos(rand: () => number, o: RandomLogOptions): WlogIo[] {
  const ios: WlogIo[] = [];
  for (let i = 0; i < o.ios; i++) {
    const r = rand();
    if (r < (o.padding ?? 0)) {
      ios.push({ kind: 'padding', address: 0, blocks: Math.floor(rand() * 3) });
      continue;
    }
    if (rand() < (o.flush ?? 0)) ios.push({ kind: 'flush', address: 0, blocks: 0 });
    const blocks = 1 + Math.floor(rand() * Math.min(o.maxBlocks, o.volumeBlocks));
    // Cluster addresses so overlaps are common.
    const address = Math.floor(rand() * (o.volumeBlocks - blocks + 1));
    const k = rand();
    if (k < (o.discard ?? 0)) ios.push({ kind: 'discard', address, blocks });
    else if (k < (o.discard ?? 0) + (o.zero ?? 0)) ios.push({ kind: 'write', address, blocks, data: blockData(rand, blocks, 'zero') });
    else ios.push({ kind: 'write', address, blocks, data: blockData(rand, blocks, rand() < 0.5 ? 'runs' : 'random') });
  }
  return ios;
}

/** Replays IOs onto an image in memory: what an apply with discards as zeros must produce. */
export function replay(image: Buffer, ios: WlogIo[]): Buffer {
  const out = Buffer.from(image);
  for (const io of ios) {
    if (io.kind === 'write') io.data!.copy(out, io.address * 512);
    else if (io.kind === 'discard') out.fill(0, io.address * 512, (io.address + io.blocks) * 512);
  }
  return out;
}
