/**
 * One protocol run on one connection, from either side: control messages in order, data frames,
 * and the typed reject. Both the server's kinds and the client's transfers talk through this.
 */
import { ProtocolError, type PeerRef } from '../errors.js';
import type { FrameChannel } from '../frame/channel.js';
import type { Frame } from '../frame/codec.js';
import { CONTROL, DATA, decodeControl, encodeControl, type Control, type WireCodec } from './messages.js';
import { isRejectCode, WireReject, type RejectCode } from './rejects.js';
import type { DigestAlgorithm } from '../stream/digest.js';

export class WireSession {
  constructor(
    readonly channel: FrameChannel,
    /** The peer: its authenticated host name (or, insecure, the one it claims) and address. */
    readonly peer: PeerRef,
    /** Codecs both sides speak (from the hellos). */
    readonly codecs: readonly WireCodec[],
    /** The protocol version both speak (the lower of the two hellos' versions). */
    readonly version = 1,
  ) {
    // Version 2: frames checksummed with XXH3 (flagged, so either reader takes them).
    if (version >= 2) channel.fastSums = true;
  }

  /** The segment digest this session's streams use (spec.md, "Streams"). */
  get digest(): DigestAlgorithm {
    return this.version >= 2 ? 'xxh3' : 'sha256';
  }

  send(msg: Control): Promise<void> {
    return this.channel.send(CONTROL, encodeControl(msg));
  }

  sendData(payload: Buffer | readonly Buffer[]): Promise<void> {
    return this.channel.send(DATA, payload);
  }

  /** A data frame built in place: the first 12 bytes of `frame` are room for the frame header. */
  sendDataBuilt(frame: Buffer, written?: () => void): Promise<void> {
    return this.channel.sendBuilt(DATA, frame, written);
  }

  /** The next frame, control or data. */
  next(timeoutMs = 0): Promise<Frame> {
    return this.channel.recv(timeoutMs);
  }

  decode(frame: Frame): Control {
    if (frame.type !== CONTROL) throw new ProtocolError(this.peer, `expected a control message, got a frame of type ${frame.type}`);
    const msg = decodeControl(this.peer, frame.payload);
    if (msg.t === 'reject') throw rejectOf(this.peer, msg as { code?: unknown; message?: unknown });
    if (msg.t === 'error') throw new WireReject('internal', String(msg.message ?? 'error'), this.peer);
    return msg;
  }

  /** The next control message, which must be of type `t` (a reject throws WireReject). */
  async expect<T extends Control>(t: string, timeoutMs = 0): Promise<T> {
    const msg = this.decode(await this.next(timeoutMs));
    if (msg.t !== t) throw new ProtocolError(this.peer, `expected "${t}", got "${msg.t}"`);
    return msg as T;
  }

  async reject(code: RejectCode, message: string): Promise<void> {
    await this.send({ t: 'reject', code, message }).catch(() => {});
  }

  close(): Promise<void> {
    return this.channel.close();
  }
}

function rejectOf(peer: PeerRef, msg: { code?: unknown; message?: unknown }): WireReject {
  const code = msg.code;
  if (!isRejectCode(code)) return new WireReject('internal', `unknown reject "${String(code)}": ${String(msg.message)}`, peer);
  return new WireReject(code, String(msg.message ?? ''), peer);
}
