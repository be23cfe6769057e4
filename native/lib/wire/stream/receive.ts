/**
 * The receiving end of a resumable stream (spec.md, "Streams"). The receiver says where to resume
 * (its fsynced offset and the digests of what it holds), writes each data frame at its offset,
 * answers each checkpoint only after fsync and a durable state record, checks the whole-stream
 * digest at commit, and lets the kind install and register the file BEFORE it acknowledges.
 * The bytes go to the disk with O_DIRECT in chunks aligned to the checkpoints (direct-writer.ts),
 * or, where that cannot be used or the kind reads the file back at once (`direct: false`: a diff's
 * verify, unless it is checked as it arrives, `check`; the proxy's log batches), through
 * the page cache with writeback started as data arrives (sync_file_range every few MiB). A
 * checkpoint's fsync runs while the next segment's frames are received: the stream does not stop
 * for it, and the acknowledgement still follows the fsync and the state record.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

import { ProtocolError } from '../errors.js';
import { DATA } from '../protocol/messages.js';
import { WireReject } from '../protocol/rejects.js';
import type { WireSession } from '../protocol/session.js';
import type { TransferProgress } from '../protocol/transfers-board.js';
import { loadAddon } from '../../load.js';
import { BufferPool } from './buffer-pool.js';
import { StreamSums } from './bulk-sums.js';
import { decodeDataParts, zeros } from './data-frame.js';
import { DirectWriter } from './direct-writer.js';
import { segmentHash, streamDigest } from './digest.js';
import { dropPartial, readPartial, resetPartial, writePartial, type PartialState } from './partial.js';

/** Something that looks at a stream's bytes as they arrive, in order, from the first (diff.ts's wdiff check). */
export interface StreamCheck {
  feed(parts: readonly Buffer[] | null, length: number): void;
}

export interface ReceiveStreamOptions<T, C extends StreamCheck = StreamCheck> {
  session: WireSession;
  /** Where the partial lives (stream/partial.ts's partialDir). */
  dir: string;
  kind: string;
  volume: string;
  /** What is being sent; a partial with another identity is discarded. */
  identity: Record<string, unknown>;
  size: number;
  checkpointBytes: number;
  progress?: TransferProgress;
  /**
   * Hash the received bytes per bulk of this size as they are written (bulk-sums.ts): commit then
   * gets the base's checksums of the file without reading it again (null if they could not be made).
   */
  bulkSums?: number;
  /**
   * Write whole chunks with O_DIRECT where the file system takes it (direct-writer.ts; the default).
   * False where `commit` reads the whole file back at once (a diff's verify, unless it is checked
   * as it arrives: transfers/diff.ts; a log batch's conversion on the proxy): through the page cache
   * that read costs less than the direct writes save (bench:replicate's diff phase, 2026-12-05).
   */
  direct?: boolean;
  /**
   * Made when the stream starts from its first byte and fed every byte in order; commit gets it
   * (null when the stream resumed: the bytes before the resume point went by in an earlier run).
   */
  check?: (dataPath: string) => C;
  /** Installs and registers the received file (it may move it); its result goes back to the sender. */
  commit: (dataPath: string, received: { sums: { bulkSize: number; hashes: Buffer } | null; check: C | null }) => Promise<T>;
}

/** Start writeback after this many bytes written (sync_file_range), ahead of the checkpoint's fsync. */
const WRITEBACK_BYTES = 8 << 20;
const addon = loadAddon<{ syncFileRange(fd: number, offset: number, length: number): Promise<void> }>();
/** Buffers compressed frames are joined and decompressed into, back once their write is done. */
const pool = new BufferPool(16);

export async function receiveStream<T, C extends StreamCheck = StreamCheck>(o: ReceiveStreamOptions<T, C>): Promise<T> {
  const { session, dir } = o;
  const had = await readPartial(dir);
  const dataPath = join(dir, 'data');
  // A partial whose data file is gone (moved into place by a commit that died half-way) claims nothing.
  const dataSize = (await stat(dataPath).catch(() => null))?.size;
  const algorithm = session.digest;
  const match = had !== null && had.kind === o.kind && had.checkpointBytes === o.checkpointBytes && (had.digest ?? 'sha256') === algorithm && JSON.stringify(had.identity) === JSON.stringify(o.identity) && had.offset <= o.size && dataSize === o.size;
  const claim = match ? { offset: had.offset, segments: had.segments, digest: algorithm } : { offset: 0, segments: [] as string[], digest: algorithm };
  await session.send({ t: 'resume', ...claim });
  const start = await session.expect<{ t: 'start'; offset: number }>('start', 600_000);
  if (start.offset !== 0 && start.offset !== claim.offset) throw new ProtocolError(session.peer, `start at ${start.offset}, but this side claimed ${claim.offset}`);
  const state: PartialState = { kind: o.kind, volume: o.volume, identity: o.identity, checkpointBytes: o.checkpointBytes, digest: algorithm, offset: start.offset, segments: start.offset === 0 ? [] : [...claim.segments] };
  if (start.offset === 0) await resetPartial(dir, o.size);
  const fh = await open(dataPath, 'r+');
  const sums = o.bulkSums ? await StreamSums.open(dir, { sizeBytes: o.size, bulkSize: o.bulkSums, checkpointBytes: o.checkpointBytes, from: start.offset }).catch(() => null) : null;
  let closed = false;
  let direct: DirectWriter | null = null;
  let flush: Promise<void> = Promise.resolve();
  let durable: Promise<void> = Promise.resolve();
  try {
    if (start.offset > 0) {
      // Bytes past the last checkpoint may be from a run that died: make them zeros again.
      await fh.truncate(start.offset);
      await fh.truncate(o.size);
    }
    // Whole chunks go to the disk with O_DIRECT where the file system takes it (direct-writer.ts).
    direct = o.direct === false ? null : await DirectWriter.open(dataPath, start.offset, o.checkpointBytes);
    const check = start.offset === 0 && o.check ? o.check(dataPath) : null;
    if (o.progress) Object.assign(o.progress, { done: start.offset, total: o.size, resumedFrom: start.offset });
    let expected = start.offset;
    let seg = segmentHash(algorithm);
    let segStart = expected;
    const writing: Promise<void>[] = [];
    // Writeback started up to here; one sync_file_range in flight at a time.
    let flushedTo = expected;
    let flushing = false;
    for (;;) {
      const frame = await session.next();
      if (frame.type === DATA) {
        const c = await decodeDataParts(session.peer, frame.parts ?? [frame.payload], pool);
        if (c.offset !== expected) throw new ProtocolError(session.peer, `data at stream offset ${c.offset}, expected ${expected}`);
        if (c.offset + c.length > o.size || c.offset + c.length > segStart + o.checkpointBytes) {
          throw new ProtocolError(session.peer, `data at stream offset ${c.offset} of ${c.length} bytes crosses a checkpoint or the end (${o.size})`);
        }
        sums?.update(c.parts ?? c.length);
        check?.feed(c.parts ?? null, c.length);
        if (c.parts) for (const p of c.parts) seg.update(p);
        else seg.update(zeros(c.length));
        if (direct) {
          // Copied into the chunks: the frame's buffer is free again; up to four chunk writes in flight.
          for (const w of direct.add(c.parts ?? null, c.length)) {
            if (writing.length >= 4) await writing.shift();
            w.catch(() => {});
            writing.push(w);
          }
          if (c.owned) pool.give(c.owned);
        } else if (c.parts) {
          // Up to four writes in flight while the next frames are decoded; checkpoints and commit wait for them.
          // A frame in parts is written from them as they are (pwritev), not joined first.
          if (writing.length >= 4) await writing.shift();
          const owned = c.owned;
          const w = owned ? writeAll(fh, c.parts, c.offset).then(() => pool.give(owned)) : writeAll(fh, c.parts, c.offset);
          w.catch(() => {});
          writing.push(w);
        }
        // A run of zeros needs no write on the buffered path: the file is zeros past the stream's start.
        expected += c.length;
        if (!direct && !flushing && expected - flushedTo >= WRITEBACK_BYTES) {
          flushing = true;
          const from = flushedTo;
          const to = expected;
          flush = Promise.all(writing)
            .then(() => addon.syncFileRange(fh.fd, from, to - from))
            .then(
              () => {
                flushedTo = to;
                flushing = false;
              },
              (e: Error) => session.channel.fail(e),
            );
        }
        if (o.progress) o.progress.done = expected;
        continue;
      }
      const msg = session.decode(frame);
      while (writing.length > 0) await writing.shift();
      if (msg.t === 'checkpoint') {
        if (msg.offset !== expected || expected - segStart !== o.checkpointBytes) throw new ProtocolError(session.peer, `checkpoint at ${String(msg.offset)}, this side is at ${expected} (segment from ${segStart})`);
        await durable;
        state.segments.push(seg.digest());
        state.offset = expected;
        const record: PartialState = { ...state, segments: [...state.segments] };
        const at = expected;
        // The checkpoint is made durable (fsync, state record, ack) while frames keep coming.
        const from = segStart;
        durable = (async () => {
          await fh.sync();
          // The bulks' hashes are durable before the record that claims their bytes.
          await sums?.persist(from, at);
          await writePartial(dir, record);
          await session.send({ t: 'checkpoint-ack', offset: at });
        })();
        durable.catch((e: Error) => session.channel.fail(e));
        seg = segmentHash(algorithm);
        segStart = expected;
      } else if (msg.t === 'commit') {
        await durable;
        await flush;
        if (msg.size !== o.size || expected !== o.size) throw new ProtocolError(session.peer, `commit of ${String(msg.size)} bytes, this side received ${expected} of ${o.size}`);
        const segments = expected > segStart || state.segments.length === 0 ? [...state.segments, seg.digest()] : state.segments;
        const digest = streamDigest(segments, algorithm);
        if (digest !== msg.digest) {
          await fh.close();
          closed = true;
          await dropPartial(dir);
          throw new WireReject('digest-mismatch', `stream digest ${digest} is not the sender's ${String(msg.digest)}; the partial is discarded`);
        }
        await direct?.finish(fh);
        await fh.sync();
        await fh.close();
        closed = true;
        const made = sums?.complete() ?? null;
        await sums?.close();
        const result = await o.commit(dataPath, { sums: made, check });
        // Installed and registered: the partial goes before the answer, so a receiver that dies in
        // between leaves nothing behind (the sender's retry is answered done).
        await dropPartial(dir);
        await session.send({ t: 'committed', result: result as unknown });
        return result;
      } else {
        throw new ProtocolError(session.peer, `unexpected "${msg.t}" during a stream`);
      }
    }
  } finally {
    // No writeback call may outlive the descriptor (its number could be reused).
    if (!closed) {
      await Promise.all([flush.catch(() => {}), durable.catch(() => {})]);
      await fh.close().catch(() => {});
    }
    await direct?.close();
    await sums?.close();
  }
}

async function writeAll(fh: FileHandle, parts: readonly Buffer[], pos: number): Promise<void> {
  let left = parts.filter((p) => p.length > 0);
  while (left.length > 0) {
    let n = left.length === 1 ? (await fh.write(left[0]!, 0, left[0]!.length, pos)).bytesWritten : (await fh.writev(left, pos)).bytesWritten;
    pos += n;
    // A short write (rare on a file): go on from the byte it stopped at.
    const rest: Buffer[] = [];
    for (const p of left) {
      if (n >= p.length) n -= p.length;
      else {
        rest.push(n > 0 ? p.subarray(n) : p);
        n = 0;
      }
    }
    left = rest;
  }
}
