/**
 * Digests of a stream: a digest of each checkpoint segment, and the stream's digest of the segments'
 * hex digests in order. Both sides compute them from the bytes (the sender from its source, the
 * receiver from what it wrote), so a resumed stream is still checked whole. The algorithm is the
 * session's: sha256 in protocol version 1, XXH3-128 (the addon) from version 2 — the frames and TLS
 * already guard each byte in transit; this catches what lands in the wrong place or not at all,
 * at a twentieth of sha256's cost per byte.
 */
import { createHash } from 'node:crypto';

import { loadAddon } from '../../load.js';
import { openSource, type ByteSource } from './source.js';

export type DigestAlgorithm = 'sha256' | 'xxh3';

export interface SegmentHash {
  update(bytes: Buffer): void;
  /** Hex digest of what was added. */
  digest(): string;
}

interface Xxh3Addon {
  xxh3Begin(): object;
  xxh3Update(state: object, bytes: Buffer): void;
  xxh3Digest(state: object): string;
}

export function segmentHash(algorithm: DigestAlgorithm = 'sha256'): SegmentHash {
  if (algorithm === 'xxh3') {
    const a = loadAddon<Xxh3Addon>();
    const st = a.xxh3Begin();
    return { update: (b) => a.xxh3Update(st, b), digest: () => a.xxh3Digest(st) };
  }
  const h = createHash('sha256');
  return { update: (b) => void h.update(b), digest: () => h.digest('hex') };
}

export function streamDigest(segments: readonly string[], algorithm: DigestAlgorithm = 'sha256'): string {
  const h = segmentHash(algorithm);
  for (const s of segments) h.update(Buffer.from(s));
  return h.digest();
}

/** The segment digests of `path`'s first `count` segments of `segmentBytes` (reading it, or what `opener` opens). */
export async function segmentDigests(path: string, segmentBytes: number, count: number, algorithm: DigestAlgorithm = 'sha256', opener?: () => Promise<ByteSource>): Promise<string[]> {
  const out: string[] = [];
  const h = await openSource(path, opener);
  const buf = Buffer.allocUnsafe(Math.min(segmentBytes, 1 << 20));
  try {
    for (let s = 0; s < count; s++) {
      const hash = segmentHash(algorithm);
      let pos = s * segmentBytes;
      const end = pos + segmentBytes;
      while (pos < end) {
        const bytesRead = await h.read(buf, 0, Math.min(buf.length, end - pos), pos);
        if (bytesRead === 0) break;
        hash.update(buf.subarray(0, bytesRead));
        pos += bytesRead;
      }
      out.push(hash.digest());
    }
  } finally {
    await h.close();
  }
  return out;
}
