/**
 * The protocol's words (spec.md): control messages are JSON in CONTROL frames; stream data travels
 * in DATA frames with a 13-byte binary header. Nothing here knows about volumes either: the
 * request's `params` belong to its transfer kind.
 */
import { ProtocolError, type PeerRef } from '../errors.js';
import type { RejectCode } from './rejects.js';

export const PROTOCOL = 'walbctl-wire';
/** 2: XXH3 frame checksums and segment digests (1: crc32 and sha256, still spoken). */
export const PROTOCOL_VERSION = 2;
export const MIN_PROTOCOL_VERSION = 1;

export const CONTROL = 1;
export const DATA = 2;

/** Codecs a data frame may use; `zero` carries no bytes (a run of zeros). */
export const WIRE_CODECS = ['none', 'lz4', 'zstd'] as const;
export type WireCodec = (typeof WIRE_CODECS)[number];

export interface Hello {
  t: 'hello';
  proto: typeof PROTOCOL;
  version: number;
  minVersion: number;
  host: string;
  codecs: string[];
  limits: { maxPayload: number; bytesPerSecond?: number };
}

export interface WireRequest {
  t: 'request';
  kind: string;
  /** The volume the request is about, when it is about one (authorization reads it). */
  volume?: string;
  params: Record<string, unknown>;
}

export interface Accept {
  t: 'accept';
  [k: string]: unknown;
}

export interface Reject {
  t: 'reject';
  code: RejectCode;
  message: string;
}

export type Control = Hello | WireRequest | Accept | Reject | { t: string; [k: string]: unknown };

export function encodeControl(msg: Control): Buffer {
  return Buffer.from(JSON.stringify(msg));
}

export function decodeControl(peer: PeerRef, payload: Buffer): Control {
  let v: unknown;
  try {
    v = JSON.parse(payload.toString('utf8'));
  } catch {
    throw new ProtocolError(peer, `a control frame of ${payload.length} bytes is not JSON`);
  }
  if (typeof v !== 'object' || v === null || typeof (v as { t?: unknown }).t !== 'string') {
    throw new ProtocolError(peer, 'a control message has no type "t"');
  }
  return v as Control;
}

/** DATA payload header: offset u64 LE, codec u8 (0 none, 1 lz4, 2 zero, 3 zstd), raw length u32 LE. */
export const DATA_HEADER = 13;
export const CODEC_ID = { none: 0, lz4: 1, zero: 2, zstd: 3 } as const;
