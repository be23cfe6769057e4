/**
 * Errors of the wire. Each names the peer (host and address) and, for a broken frame, the byte
 * offset in the connection's inbound stream. `retryable` says whether the sender should try again.
 */
import { WalbctlError } from '../../../common/errors.js';

/** Where a connection goes: the peer's host name (from its certificate, or the one dialled) and address. */
export interface PeerRef {
  host: string;
  address: string;
}

export function peerName(p: PeerRef): string {
  return p.host && p.host !== p.address ? `${p.host} (${p.address})` : p.address;
}

/** A frame that does not hold up: a bad magic, a length past the limit, a checksum that differs. */
export class FrameError extends WalbctlError {
  constructor(
    readonly peer: PeerRef,
    readonly offset: number,
    readonly rule: string,
  ) {
    super('wire-frame', `peer ${peerName(peer)}: bad frame at inbound byte ${offset}: ${rule}`, { retryable: true });
  }
}

/** The connection broke, the peer went silent past the heartbeat deadline, or a step timed out. */
export class LinkError extends WalbctlError {
  constructor(
    readonly peer: PeerRef,
    readonly reason: string,
    options: { cause?: unknown } = {},
  ) {
    super('wire-link', `peer ${peerName(peer)}: ${reason}`, { ...options, retryable: true });
  }
}

/** The peer said something the protocol does not allow at that point. */
export class ProtocolError extends WalbctlError {
  constructor(
    readonly peer: PeerRef,
    readonly detail: string,
  ) {
    super('wire-protocol', `peer ${peerName(peer)}: protocol error: ${detail}`, { retryable: true });
  }
}
