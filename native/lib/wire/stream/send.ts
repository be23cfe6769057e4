/**
 * The sending end of a resumable stream (spec.md, "Streams"): it checks the receiver's resume claim
 * against its own source (the segment digests must match what it would send) before trusting it,
 * streams the rest in data frames, keeps at most two checkpoints unacknowledged, and ends with the
 * whole-stream digest, advancing only when the receiver says the result is installed.
 */
import { ProtocolError } from '../errors.js';
import type { WireSession } from '../protocol/session.js';
import { HEADER_BYTES } from '../frame/codec.js';
import { DATA_HEADER, type WireCodec } from '../protocol/messages.js';
import { CompressionPacing } from './compress-pacing.js';
import { encodeData } from './data-frame.js';
import { segmentDigests, segmentHash, streamDigest } from './digest.js';
import { openSource, type ByteSource } from './source.js';
import { takeAll, type TokenBucket } from './token-bucket.js';

const NO_CODECS: readonly WireCodec[] = [];

/**
 * Read buffers (a frame's room + one chunk) kept for the next chunk and the next stream: a fresh
 * 1 MiB buffer is 256 page faults on first touch, which cost the storage's shipping more CPU per GB
 * than TLS (perf, bench:ship, 2026-12-05). A buffer comes back once the socket is done with it.
 */
const spare: Buffer[] = [];
const SPARE_MAX = 24;
function takeBuffer(size: number): Buffer {
  for (let i = spare.length - 1; i >= 0; i--) if (spare[i]!.length === size) return spare.splice(i, 1)[0]!;
  return Buffer.allocUnsafeSlow(size);
}
function giveBuffer(b: Buffer): void {
  if (spare.length < SPARE_MAX) spare.push(b);
}

export interface SendStreamOptions {
  session: WireSession;
  /** The file or device to send, bytes [0, size); with `open`, only the source's name in messages. */
  source: string;
  /** Opens the bytes to send instead of the file `source` (e.g. a wlog read out of a log ring). */
  open?: () => Promise<ByteSource>;
  size: number;
  checkpointBytes: number;
  /** Bytes per data frame (default 1 MiB; must divide checkpointBytes). */
  chunkBytes?: number;
  limits?: readonly TokenBucket[];
  /** Compress data frames with the session's codec (default true); false: every frame goes raw (data compressed already). */
  compress?: boolean;
  /** Whether compression pays, as earlier streams of the same data taught it (default: a new one). */
  pacing?: CompressionPacing;
  onProgress?: (done: number, total: number) => void;
  /** Called once every byte and the commit are out, while the receiver installs (a sender may start its next stream then). */
  onSent?: () => void;
}

export interface SendStreamResult<T> {
  result: T;
  /** Where this run started: the receiver's claim when it held, else 0. */
  resumedFrom: number;
  /** Why a claim was not trusted (the run then started at 0), or null. */
  claimRefused: string | null;
  /** Payload bytes that went on the wire for data (after compression; zeros cost none). */
  wireBytes: number;
  sentBytes: number;
}

/** Checks the receiver's claim; returns why it cannot be trusted, or null. */
async function checkClaim(o: SendStreamOptions, claim: { offset?: unknown; segments?: unknown; digest?: unknown }): Promise<string | null> {
  const { offset, segments } = claim;
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) return `offset ${String(offset)} is not a byte offset`;
  if (offset === 0) return null;
  if (offset > o.size) return `offset ${offset} is past the end (${o.size})`;
  if (offset % o.checkpointBytes !== 0) return `offset ${offset} is not on a checkpoint (every ${o.checkpointBytes} bytes)`;
  if (!Array.isArray(segments) || segments.length !== offset / o.checkpointBytes) return `the claim lists ${Array.isArray(segments) ? segments.length : 'no'} segment digests for ${offset / o.checkpointBytes} segments`;
  if ((claim.digest ?? 'sha256') !== o.session.digest) return `the claim's digests are ${String(claim.digest ?? 'sha256')}, this session's ${o.session.digest}`;
  const mine = await segmentDigests(o.source, o.checkpointBytes, segments.length, o.session.digest, o.open);
  const bad = mine.findIndex((d, i) => d !== segments[i]);
  return bad >= 0 ? `segment ${bad} (bytes ${bad * o.checkpointBytes}..) differs from the source` : null;
}

export async function sendStream<T>(o: SendStreamOptions): Promise<SendStreamResult<T>> {
  const { session } = o;
  const chunk = o.chunkBytes ?? 1 << 20;
  if (o.checkpointBytes % chunk !== 0) throw new RangeError(`checkpointBytes ${o.checkpointBytes} is not a multiple of the chunk ${chunk}`);
  const claim = await session.expect<{ t: 'resume'; offset: number; segments: string[]; digest?: string }>('resume', 600_000);
  const claimRefused = await checkClaim(o, claim);
  const start = claimRefused ? 0 : claim.offset;
  const segments: string[] = claimRefused || start === 0 ? [] : [...claim.segments];
  await session.send({ t: 'start', offset: start });

  // The inbox: checkpoint acks and the final answer arrive while data goes out.
  let acked = start;
  let wake: (() => void) | null = null;
  let failure: Error | null = null;
  let committed: ((r: T) => void) | null = null;
  const done = new Promise<T>((resolve, reject) => {
    committed = resolve;
    void (async () => {
      try {
        for (;;) {
          const msg = session.decode(await session.next());
          if (msg.t === 'checkpoint-ack') {
            acked = Number(msg.offset);
            wake?.();
          } else if (msg.t === 'committed') {
            resolve(msg.result as T);
            return;
          } else throw new ProtocolError(session.peer, `unexpected "${msg.t}" while sending`);
        }
      } catch (e) {
        failure = e as Error;
        wake?.();
        reject(e);
      }
    })();
  });
  done.catch(() => {});
  void committed;

  const fh = await openSource(o.source, o.open);
  let wireBytes = 0;
  let pos = start;
  try {
    // Each chunk is read behind room for the frame and data headers: sent raw, it leaves as one
    // buffer (TLS would copy a frame given in parts into one first).
    const room = HEADER_BYTES + DATA_HEADER;
    const read = async (at: number): Promise<{ buf: Buffer; whole: Buffer }> => {
      const n = Math.min(chunk, o.size - at);
      const whole = takeBuffer(room + chunk);
      const buf = whole.subarray(0, room + n);
      let got = 0;
      while (got < n) {
        const bytesRead = await fh.read(buf, room + got, n - got, at + got);
        if (bytesRead === 0) throw new Error(`${o.source}: ends at byte ${at + got}, expected ${o.size}`);
        got += bytesRead;
      }
      return { buf, whole };
    };
    // Compression that does not pay is paused (compress-pacing.ts).
    const pacing = o.pacing ?? new CompressionPacing();
    const canCompress = o.compress !== false && session.codecs.some((c) => c === 'lz4' || c === 'zstd');
    // Up to four chunks are read and compressed ahead of the one being sent.
    // A compressed frame is built in a kept buffer too (room, the data header, compressBound bytes).
    const packedSize = room + chunk + (chunk >> 6) + 65536;
    const prepare = async (at: number) => {
      const { buf: built, whole } = await read(at);
      const raw = built.subarray(room);
      const trying = canCompress && pacing.tryNext();
      const packedIn = trying ? takeBuffer(packedSize) : undefined;
      const frame = await encodeData(at, raw, trying ? session.codecs : NO_CODECS, HEADER_BYTES, packedIn);
      // Not built in it (zeros, or compression did not pay): the kept buffer is free again.
      const packed = frame.built && packedIn && frame.built.buffer === packedIn.buffer ? packedIn : undefined;
      if (packedIn && !packed) giveBuffer(packedIn);
      if (trying && frame.wireBytes > 0) pacing.record(frame.parts[1] !== raw);
      return { raw, built, whole, frame, packed };
    };
    const ahead: Promise<Awaited<ReturnType<typeof prepare>>>[] = [];
    let queued = pos;
    const fill = (): void => {
      while (ahead.length < 4 && queued < o.size) {
        const p = prepare(queued);
        p.catch(() => {});
        ahead.push(p);
        queued = Math.min(o.size, queued + chunk);
      }
    };
    let seg = segmentHash(session.digest);
    fill();
    while (ahead.length > 0) {
      const { raw, built, whole, frame, packed } = await ahead.shift()!;
      fill();
      seg.update(raw);
      if (o.limits?.length) await takeAll(o.limits, frame.wireBytes + 25);
      if (failure) throw failure;
      if (frame.built) {
        giveBuffer(whole);
        await session.sendDataBuilt(frame.built, packed ? () => giveBuffer(packed) : undefined);
      } else if (frame.parts.length === 2 && frame.parts[1] === raw) {
        frame.parts[0]!.copy(built, HEADER_BYTES);
        await session.sendDataBuilt(built, () => giveBuffer(whole));
      } else {
        // Compressed or all zeros: the parts do not hold the read buffer.
        giveBuffer(whole);
        await session.sendData(frame.parts);
      }
      wireBytes += frame.wireBytes;
      pos += raw.length;
      o.onProgress?.(pos, o.size);
      if (pos % o.checkpointBytes === 0) {
        segments.push(seg.digest());
        seg = segmentHash(session.digest);
        await session.send({ t: 'checkpoint', offset: pos });
        while (pos - acked > 2 * o.checkpointBytes && !failure) await new Promise<void>((r) => (wake = r));
        if (failure) throw failure;
      }
    }
    if (pos % o.checkpointBytes !== 0 || segments.length === 0) segments.push(seg.digest());
    await session.send({ t: 'commit', size: o.size, digest: streamDigest(segments, session.digest) });
    o.onSent?.();
    const result = await done;
    return { result, resumedFrom: start, claimRefused, wireBytes, sentBytes: pos - start };
  } finally {
    await fh.close();
  }
}
