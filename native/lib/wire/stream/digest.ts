/**
 * Digests of a stream: sha256 of each checkpoint segment, and the stream's digest, sha256 of the
 * segments' digests in order. Both sides compute them from the bytes (the sender from its source,
 * the receiver from what it wrote), so a resumed stream is still checked whole.
 */
import { createHash, type Hash } from 'node:crypto';
import { open } from 'node:fs/promises';

export function streamDigest(segments: readonly string[]): string {
  const h = createHash('sha256');
  for (const s of segments) h.update(s);
  return h.digest('hex');
}

export function segmentHash(): Hash {
  return createHash('sha256');
}

/** The segment digests of `path`'s first `count` segments of `segmentBytes` (reading it). */
export async function segmentDigests(path: string, segmentBytes: number, count: number): Promise<string[]> {
  const out: string[] = [];
  const h = await open(path, 'r');
  const buf = Buffer.allocUnsafe(Math.min(segmentBytes, 1 << 20));
  try {
    for (let s = 0; s < count; s++) {
      const hash = segmentHash();
      let pos = s * segmentBytes;
      const end = pos + segmentBytes;
      while (pos < end) {
        const { bytesRead } = await h.read(buf, 0, Math.min(buf.length, end - pos), pos);
        if (bytesRead === 0) break;
        hash.update(buf.subarray(0, bytesRead));
        pos += bytesRead;
      }
      out.push(hash.digest('hex'));
    }
  } finally {
    await h.close();
  }
  return out;
}
