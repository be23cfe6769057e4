/**
 * One TCP connection in WalB's dialect: reads exact byte counts and cybozu-serialized values off
 * the socket (counting inbound bytes, so an error names the offset and what was being read), and
 * writes whole messages with the socket's backpressure. Reading pauses the socket past 16 MiB
 * buffered, so a fast sender cannot fill memory.
 */
import { once } from 'node:events';
import type { Socket } from 'node:net';

import { decodeUint, uintBodySize } from './cybozu.js';
import { WalbProtocolError } from './errors.js';

const HIGH_WATER = 16 << 20;

export class WalbConn {
  /** Inbound bytes consumed so far. */
  offset = 0;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private wake: (() => void) | null = null;
  private ended = false;
  private failure: Error | null = null;

  constructor(readonly socket: Socket, readonly peer: string) {
    socket.on('data', (c: Buffer) => {
      this.chunks.push(c);
      this.buffered += c.length;
      if (this.buffered > HIGH_WATER) socket.pause();
      this.notify();
    });
    socket.on('end', () => { this.ended = true; this.notify(); });
    socket.on('close', () => { this.ended = true; this.notify(); });
    socket.on('error', (e) => { this.failure = e; this.notify(); });
  }

  private notify(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  /** Exactly `n` bytes; the stream ending first is a protocol error naming `what`. */
  async read(n: number, what: string): Promise<Buffer> {
    if (n === 0) return Buffer.alloc(0);
    while (this.buffered < n) {
      if (this.failure) throw new WalbProtocolError(this.peer, this.offset + this.buffered, what, `the connection failed: ${this.failure.message}`);
      if (this.ended) throw new WalbProtocolError(this.peer, this.offset + this.buffered, what, `the connection ended ${n - this.buffered} bytes short`);
      this.socket.resume();
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    // Only the chunks the read needs are joined: small reads off a large buffer stay cheap.
    let out: Buffer;
    const first = this.chunks[0]!;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      const parts: Buffer[] = [];
      let got = 0;
      while (got < n) {
        const c = this.chunks[0]!;
        const take = Math.min(c.length, n - got);
        parts.push(c.subarray(0, take));
        got += take;
        if (take === c.length) this.chunks.shift();
        else this.chunks[0] = c.subarray(take);
      }
      out = Buffer.concat(parts, n);
    }
    this.buffered -= n;
    this.offset += n;
    if (this.buffered <= HIGH_WATER) this.socket.resume();
    return out;
  }

  /** Raises a protocol error at the offset where the value that broke a rule started. */
  fail(at: number, what: string, rule: string): never {
    throw new WalbProtocolError(this.peer, at, what, rule);
  }

  async u8(what: string): Promise<number> { return (await this.read(1, what))[0]!; }
  async bool(what: string): Promise<boolean> {
    const at = this.offset;
    const v = await this.u8(what);
    if (v > 1) this.fail(at, what, `${v} is not a bool (0 or 1)`);
    return v === 1;
  }
  async u16(what: string): Promise<number> { return (await this.read(2, what)).readUInt16LE(0); }

  async uint(what: string, bits: 32 | 64 = 64): Promise<bigint> {
    const at = this.offset;
    const header = await this.u8(what);
    const size = uintBodySize(header);
    const body = size > 0 ? await this.read(size, what) : Buffer.alloc(0);
    try {
      return decodeUint(header, body, bits);
    } catch (e) {
      return this.fail(at, what, (e as Error).message);
    }
  }

  /** An unsigned integer that must fit a JavaScript number (sizes, gids, lengths). */
  async num(what: string, bits: 32 | 64 = 64): Promise<number> {
    const at = this.offset;
    const v = await this.uint(what, bits);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(at, what, `${v} is past 2^53`);
    return Number(v);
  }

  /** A string of at most `max` bytes (WalB's ids, names and answers are short). */
  async string(what: string, max = 64 << 10): Promise<string> {
    const at = this.offset;
    const n = await this.num(`${what} length`);
    if (n > max) this.fail(at, what, `a string of ${n} bytes, more than the ${max} allowed here`);
    return (await this.read(n, what)).toString('utf8');
  }

  /**
   * Writes `b`, waiting while the socket's buffer is full. A connection that closed (before or while
   * waiting) is an error: a write must never wait for a 'drain' that cannot come.
   */
  async write(b: Buffer): Promise<void> {
    const closed = (): WalbProtocolError =>
      new WalbProtocolError(this.peer, this.offset, 'writing', `the connection is closed${this.failure ? `: ${this.failure.message}` : ''}`);
    if (this.socket.destroyed || this.socket.writableEnded) throw closed();
    if (this.socket.write(b)) return;
    await new Promise<void>((resolve, reject) => {
      const done = (error: Error | null): void => {
        this.socket.off('drain', onDrain);
        this.socket.off('close', onClose);
        if (error) reject(error);
        else resolve();
      };
      const onDrain = (): void => done(null);
      const onClose = (): void => done(closed());
      this.socket.on('drain', onDrain);
      this.socket.on('close', onClose);
      if (this.socket.destroyed) done(closed());
    });
  }

  /** WalB's writeFin: the last message, then wait (up to `ms`) for the peer to close, then close. */
  async writeFin(b: Buffer, ms = 10_000): Promise<void> {
    await this.write(b);
    this.socket.end();
    if (!this.ended) {
      const timer = setTimeout(() => this.socket.destroy(), ms);
      await once(this.socket, 'close').catch(() => undefined);
      clearTimeout(timer);
    }
  }
}
