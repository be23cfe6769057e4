/**
 * A duplex of frames over one socket: `send` waits for the socket to drain (backpressure outbound),
 * `recv` hands frames in order and pauses the socket while too many wait unread (backpressure
 * inbound), heartbeats keep an idle link alive and a silent peer is declared dead. Nothing here
 * knows what a frame means.
 */
import type { Socket } from 'node:net';

import { FrameError, LinkError, type PeerRef } from '../errors.js';
import { FLAG_XXH3, FrameParser, frameHeader, HEADER_BYTES, MAX_PAYLOAD, PING, PONG, writeFrameHeader, type Frame } from './codec.js';

export interface ChannelOptions {
  /** Send a heartbeat after this long without sending anything (ms). */
  heartbeatMs?: number;
  /** Declare the peer dead after this long without receiving anything (ms). */
  deadAfterMs?: number;
  /** Pause reading while this many payload bytes wait unread. */
  highWaterBytes?: number;
  maxPayload?: number;
}

export interface ChannelCounters {
  bytesIn: number;
  bytesOut: number;
}

export class FrameChannel {
  private readonly parser: FrameParser;
  private readonly queue: Frame[] = [];
  private queuedBytes = 0;
  private waiter: { resolve: (f: Frame) => void; reject: (e: Error) => void } | null = null;
  private failure: Error | null = null;
  private lastIn = Date.now();
  private lastOut = Date.now();
  private readonly timer: NodeJS.Timeout;
  private readonly highWater: number;
  readonly counters: ChannelCounters = { bytesIn: 0, bytesOut: 0 };
  /** Built frames handed to the socket whose write has not completed, and who waits for one to. */
  private builtInFlight = 0;
  private builtWritten: (() => void) | null = null;
  /** Checksum frames with XXH3 (set once the peer's hello says it reads them; a reader takes both). */
  fastSums = false;

  constructor(
    readonly socket: Socket,
    readonly peer: PeerRef,
    opts: ChannelOptions = {},
  ) {
    this.parser = new FrameParser(opts.maxPayload ?? MAX_PAYLOAD);
    this.highWater = opts.highWaterBytes ?? 16 * 1024 * 1024;
    const heartbeat = opts.heartbeatMs ?? 2000;
    const dead = opts.deadAfterMs ?? 10_000;
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', (e) => this.fail(new LinkError(peer, `connection error: ${e.message}`, { cause: e })));
    socket.on('close', () => this.fail(new LinkError(peer, 'connection closed')));
    this.timer = setInterval(() => {
      const now = Date.now();
      if (!socket.isPaused() && now - this.lastIn > dead) {
        this.fail(new LinkError(peer, `no heartbeat for ${Math.round((now - this.lastIn) / 1000)} s (dead peer or stalled link)`));
      } else if (now - this.lastOut >= heartbeat) {
        void this.send(PING, Buffer.alloc(0)).catch(() => {});
      }
    }, Math.min(heartbeat, dead) / 2);
    this.timer.unref();
  }

  private onData(d: Buffer): void {
    this.lastIn = Date.now();
    this.counters.bytesIn += d.length;
    let frames: Frame[];
    try {
      frames = this.parser.push(d);
    } catch (e) {
      const err = e as { offset: number; rule: string };
      this.fail(new FrameError(this.peer, err.offset, err.rule));
      return;
    }
    for (const f of frames) {
      if (f.type === PING) {
        void this.send(PONG, Buffer.alloc(0)).catch(() => {});
        continue;
      }
      if (f.type === PONG) continue;
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = null;
        w.resolve(f);
      } else {
        this.queue.push(f);
        this.queuedBytes += f.size;
      }
    }
    if (this.queuedBytes > this.highWater && !this.socket.isPaused()) this.socket.pause();
  }

  /** Sends one frame (its payload given whole or in parts); resolves when the socket can take more (backpressure). */
  async send(type: number, payload: Buffer | readonly Buffer[]): Promise<void> {
    if (this.failure) throw this.failure;
    this.lastOut = Date.now();
    const parts = Buffer.isBuffer(payload) ? [payload] : payload;
    const head = frameHeader(type, this.fastSums ? FLAG_XXH3 : 0, parts);
    this.socket.cork();
    let ok = this.socket.write(head);
    this.counters.bytesOut += head.length;
    for (const p of parts) {
      ok = this.socket.write(p);
      this.counters.bytesOut += p.length;
    }
    this.socket.uncork();
    // Keep up to 4 MiB queued on the socket so encryption and the kernel never wait for us; wait beyond.
    if (!ok && this.socket.writableLength > 4 * 1024 * 1024) await this.drained();
  }

  /**
   * Sends one frame built in place: `frame`'s first HEADER_BYTES are room for the header, the rest
   * is the payload. One buffer reaches the socket, so TLS encrypts it without first copying the
   * parts of a frame into one (what it does with a write of several buffers). `written` is called
   * once the socket is done with `frame` (its bytes are encrypted and handed on): the caller may
   * then reuse the buffer.
   */
  async sendBuilt(type: number, frame: Buffer, written?: () => void): Promise<void> {
    // One built frame in the socket and one waiting behind it, at most: each then reaches TLS
    // alone. More waiting would be flushed as one write of several buffers, which TLS first copies
    // into one fresh buffer (a copy and a page fault per 4 KiB of every byte sent).
    while (this.builtInFlight >= 2 && !this.failure) await new Promise<void>((r) => (this.builtWritten = r));
    if (this.failure) throw this.failure;
    this.lastOut = Date.now();
    writeFrameHeader(frame, type, this.fastSums ? FLAG_XXH3 : 0, [frame.subarray(HEADER_BYTES)]);
    this.builtInFlight++;
    this.socket.write(frame, (e) => {
      this.builtInFlight--;
      // Encrypted and handed to the kernel: the caller may reuse `frame` (not after a failure).
      if (!e) written?.();
      const w = this.builtWritten;
      this.builtWritten = null;
      w?.();
    });
    this.counters.bytesOut += frame.length;
  }

  private drained(): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (): void => {
        this.socket.off('drain', done);
        clearInterval(check);
        if (this.failure) reject(this.failure);
        else resolve();
      };
      // A dead link never drains: the failure ends the wait.
      const check = setInterval(() => this.failure && done(), 200);
      this.socket.on('drain', done);
    });
  }

  /** The next frame (in order); rejects when the link fails or `timeoutMs` passes. */
  recv(timeoutMs = 0): Promise<Frame> {
    const f = this.queue.shift();
    if (f) {
      this.queuedBytes -= f.size;
      if (this.socket.isPaused() && this.queuedBytes <= this.highWater / 2) {
        this.lastIn = Date.now();
        this.socket.resume();
      }
      return Promise.resolve(f);
    }
    if (this.failure) return Promise.reject(this.failure);
    if (this.socket.isPaused()) {
      this.lastIn = Date.now();
      this.socket.resume();
    }
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      if (timeoutMs > 0) timer = setTimeout(() => this.fail(new LinkError(this.peer, `no answer within ${timeoutMs} ms`)), timeoutMs);
      const clear = (): void => timer && clearTimeout(timer);
      this.waiter = {
        resolve: (x) => (clear(), resolve(x)),
        reject: (e) => (clear(), reject(e)),
      };
    });
  }

  get failed(): Error | null {
    return this.failure;
  }

  /** Ends the link with `error` (or cleanly); pending and later calls reject with it. */
  fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    clearInterval(this.timer);
    this.socket.destroy();
    const w = this.waiter;
    this.waiter = null;
    w?.reject(error);
    const b = this.builtWritten;
    this.builtWritten = null;
    b?.();
  }

  /** Flushes what was sent, then closes. */
  async close(): Promise<void> {
    if (this.failure) return;
    await new Promise<void>((resolve) => this.socket.end(resolve));
    this.fail(new LinkError(this.peer, 'closed by this side'));
  }
}
