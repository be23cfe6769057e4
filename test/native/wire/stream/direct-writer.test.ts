/**
 * The receiver's direct writes (native/lib/wire/stream/direct-writer.ts): frames of any length, in
 * parts or as zero runs, land in the file at their stream offsets through 4096-aligned chunks, the
 * last chunk's unaligned tail through the buffered descriptor; a chunk of zeros only is not written;
 * a stream resumed at a checkpoint continues there. And a full backup received with direct writes and
 * one received buffered (WALBCTL_NO_DIRECT_IO=1) give the same image, for a size that is not a
 * multiple of 4096 and checkpoints smaller than a chunk.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { open, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { archivePaths, initArchiveVolume } from '../../../../native/lib/archive/index.js';
import { sendFullBackup, type WireClient, type WirePeer, type WireServer } from '../../../../native/lib/wire/index.js';
import { chunkSizeFor, DirectWriter } from '../../../../native/lib/wire/stream/direct-writer.js';
import { sha1 } from '../../archive/_workload.js';
import { client, makePki, serve } from '../_fleet.js';

const KiB = 1024;
const MiB = 1 << 20;
const dir = mkdtempSync(join(tmpdir(), 'walbctl-direct-writer-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Splits `bytes` into frames of random lengths (some in two parts, some zero runs where the bytes are zeros). */
function frames(bytes: Buffer, seed: number): { parts: Buffer[] | null; length: number }[] {
  let s = seed;
  const rnd = (n: number) => ((s = (s * 1103515245 + 12345) % 2 ** 31) % n);
  const out: { parts: Buffer[] | null; length: number }[] = [];
  for (let at = 0; at < bytes.length;) {
    const n = Math.min(bytes.length - at, 1 + rnd(1536 * KiB));
    const f = bytes.subarray(at, at + n);
    if (f.every((b) => b === 0)) out.push({ parts: null, length: n });
    else if (n > 1 && rnd(2) === 0) out.push({ parts: [f.subarray(0, n >> 1), f.subarray(n >> 1)], length: n });
    else out.push({ parts: [f], length: n });
    at += n;
  }
  return out;
}

async function writeThrough(path: string, bytes: Buffer, from: number, checkpointBytes: number, seed: number): Promise<DirectWriter> {
  const w = await DirectWriter.open(path, from, checkpointBytes);
  if (!w) throw new Error(`no direct writes on ${dir}'s file system`);
  const fh = await open(path, 'r+');
  try {
    const writes: Promise<void>[] = [];
    for (const f of frames(bytes.subarray(from), seed)) writes.push(...w.add(f.parts, f.length));
    await Promise.all(writes);
    await w.finish(fh);
  } finally {
    await fh.close();
    await w.close();
  }
  return w;
}

describe('direct writes of a received stream', () => {
  it('chooses the largest power-of-two chunk up to 4 MiB that divides the checkpoint, or none', () => {
    expect(chunkSizeFor(64 * MiB)).toBe(4 * MiB);
    expect(chunkSizeFor(16 * MiB)).toBe(4 * MiB);
    expect(chunkSizeFor(1 * MiB)).toBe(1 * MiB);
    expect(chunkSizeFor(6 * MiB)).toBe(2 * MiB);
    expect(chunkSizeFor(12 * KiB)).toBe(4 * KiB);
    expect(chunkSizeFor(1000)).toBe(0);
    expect(chunkSizeFor(0)).toBe(0);
  });

  it.each([
    { size: 9 * MiB + 1234, checkpoint: 1 * MiB, seed: 1 },
    { size: 13 * MiB, checkpoint: 16 * MiB, seed: 2 },
    { size: 4 * MiB + 4096, checkpoint: 64 * MiB, seed: 3 },
    { size: 3000, checkpoint: 1 * MiB, seed: 4 },
  ])('puts every byte at its offset ($size bytes, checkpoints of $checkpoint, frames of random lengths)', async ({ size, checkpoint, seed }) => {
    const bytes = randomBytes(size);
    // A run of zeros a whole chunk long and more, and one inside a chunk.
    bytes.fill(0, Math.min(size, 2 * MiB), Math.min(size, 7 * MiB + 100));
    bytes.fill(0, 10, Math.min(size, 2000));
    const path = join(dir, `s-${seed}`);
    closeSync(openSync(path, 'w'));
    await truncate(path, size);
    await writeThrough(path, bytes, 0, checkpoint, seed);
    expect(statSync(path).size).toBe(size);
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });

  it('leaves a chunk of zeros only unwritten, so a sparse file stays sparse', async () => {
    const path = join(dir, 'zeros');
    closeSync(openSync(path, 'w'));
    await truncate(path, 32 * MiB);
    const bytes = Buffer.alloc(32 * MiB);
    bytes.fill(7, 8 * MiB, 8 * MiB + 1);
    await writeThrough(path, bytes, 0, 16 * MiB, 5);
    expect(readFileSync(path).equals(bytes)).toBe(true);
    // The chunk with the byte holds data, and at most one more (the frame that carries the byte may
    // begin in the chunk before it); the other six or seven were not written.
    expect(statSync(path).blocks * 512).toBeLessThanOrEqual(8 * MiB);
  });

  it('resumes at a checkpoint: the bytes before it stay as they were', async () => {
    const size = 8 * MiB + 777;
    const path = join(dir, 'resume');
    const before = randomBytes(size);
    const fd = openSync(path, 'w');
    writeSync(fd, before, 0, 2 * MiB, 0);
    closeSync(fd);
    await truncate(path, size);
    const after = randomBytes(size);
    await writeThrough(path, after, 2 * MiB, 1 * MiB, 6);
    const want = Buffer.concat([before.subarray(0, 2 * MiB), after.subarray(2 * MiB)]);
    expect(readFileSync(path).equals(want)).toBe(true);
  });

  it('is not used for a checkpoint that is not a multiple of 4096, a start off its chunks, or with WALBCTL_NO_DIRECT_IO', async () => {
    const path = join(dir, 'refused');
    closeSync(openSync(path, 'w'));
    expect(await DirectWriter.open(path, 0, 1000)).toBeNull();
    expect(await DirectWriter.open(path, 4096, 1 * MiB)).toBeNull();
    process.env.WALBCTL_NO_DIRECT_IO = '1';
    try {
      expect(await DirectWriter.open(path, 0, 1 * MiB)).toBeNull();
    } finally {
      delete process.env.WALBCTL_NO_DIRECT_IO;
    }
  });
});

describe('a full backup received with direct writes and one received buffered', () => {
  const remote = join(dir, 'ar-1');
  const image = join(dir, 'v.img');
  // Not a multiple of 4096: the last chunk's tail goes through the buffered descriptor.
  const size = 21 * MiB + 512;
  let server: WireServer;
  let peer: WirePeer;
  let db1: WireClient;

  beforeAll(async () => {
    const pki = await makePki(['db-1', 'ar-1'], join(dir, 'pki'));
    ({ server, peer } = await serve(pki, 'ar-1', { address: '127.0.0.12', dataDir: remote }));
    db1 = client(pki, 'db-1');
    const bytes = randomBytes(size);
    bytes.fill(0, 5 * MiB, 11 * MiB);
    const fd = openSync(image, 'w');
    writeSync(fd, bytes);
    closeSync(fd);
  });
  afterAll(async () => {
    await server.close();
  });

  it.each([
    { mode: 'direct', env: undefined },
    { mode: 'buffered', env: '1' },
  ])('lands every byte ($mode, checkpoints of 2 MiB)', async ({ mode, env }) => {
    await rm(remote, { recursive: true, force: true });
    await initArchiveVolume(remote, 'v');
    if (env) process.env.WALBCTL_NO_DIRECT_IO = env;
    try {
      const r = await sendFullBackup(db1, peer, {
        volume: 'v', source: image, sizeBytes: size, uuid: 'b'.repeat(32), snap: { b: 0, e: 1 }, id: `fb-${mode}`, timestamp: '2026-12-05T22:00:00Z', checkpointBytes: 2 * MiB,
      });
      expect(r.outcome).toBe('sent');
    } finally {
      delete process.env.WALBCTL_NO_DIRECT_IO;
    }
    expect(sha1(archivePaths(remote, 'v').base)).toBe(sha1(image));
  });
});
