/**
 * WalB's values on the wire (meta.hpp, uuid.hpp): a uuid as its 16 raw bytes; MetaSnap as preamble
 * 0x0311 (u16), gidB, gidE (u64); MetaDiff as preamble 0x0312, isMergeable, isCompDiff (bool),
 * timestamp (u64, seconds since the epoch, of the snapshot after the diff), snapB, snapE (MetaSnap),
 * dataSize (u64). WalB's relation of a diff to an archive's latest snapshot decides its answer.
 */
import type { DiffName, GidSnap } from '../../archive/index.js';
import { Encoder } from './cybozu.js';
import type { WalbConn } from './conn.js';

export const META_SNAP_PREAMBLE = 0x0311;
export const META_DIFF_PREAMBLE = 0x0312;

/** A diff as WalB sends it: walbctl's DiffName (timestamp in ISO form) and its data size. */
export interface MetaDiff extends DiffName {
  dataSize: number;
}

export function uuidBytes(uuid: string): Buffer {
  const hex = uuid.replace(/-/g, '').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(hex)) throw new RangeError(`"${uuid}" is not a 16-byte uuid in hex`);
  return Buffer.from(hex, 'hex');
}

export function encodeSnap(e: Encoder, s: GidSnap): Encoder {
  return e.u16(META_SNAP_PREAMBLE).u64(s.b).u64(s.e);
}

export function encodeDiff(e: Encoder, d: MetaDiff): Encoder {
  const seconds = Math.floor(Date.parse(d.timestamp) / 1000);
  if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError(`diff timestamp "${d.timestamp}" is not a UTC time`);
  e.u16(META_DIFF_PREAMBLE).bool(d.mergeable).bool(d.compared).u64(seconds);
  return encodeSnap(encodeSnap(e, d.b), d.e).u64(d.dataSize);
}

export async function readUuid(c: WalbConn, what: string): Promise<string> {
  return (await c.read(16, what)).toString('hex');
}

export async function readSnap(c: WalbConn, what: string): Promise<GidSnap> {
  const at = c.offset;
  const preamble = await c.u16(`${what} preamble`);
  if (preamble !== META_SNAP_PREAMBLE) c.fail(at, what, `preamble 0x${preamble.toString(16)} is not MetaSnap's (0x0311)`);
  const b = await c.num(`${what} gidB`);
  const e = await c.num(`${what} gidE`);
  if (b > e) c.fail(at, what, `gidB ${b} > gidE ${e}`);
  return { b, e };
}

export async function readDiff(c: WalbConn, what: string): Promise<MetaDiff> {
  const at = c.offset;
  const preamble = await c.u16(`${what} preamble`);
  if (preamble !== META_DIFF_PREAMBLE) c.fail(at, what, `preamble 0x${preamble.toString(16)} is not MetaDiff's (0x0312)`);
  const mergeable = await c.bool(`${what} isMergeable`);
  const compared = await c.bool(`${what} isCompDiff`);
  const seconds = await c.num(`${what} timestamp`);
  const b = await readSnap(c, `${what} snapB`);
  const e = await readSnap(c, `${what} snapE`);
  const dataSize = await c.num(`${what} dataSize`);
  if (b.b >= e.b) c.fail(at, what, `snapB.gidB ${b.b} is not before snapE.gidB ${e.b}`);
  const timestamp = new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return { b, e, mergeable, compared, timestamp, dataSize };
}

export type Relation = 'applicable' | 'too-old-diff' | 'too-new-diff' | 'not-applicable';

/** WalB's getRelation(latest snapshot, diff). */
export function relation(latest: GidSnap, d: { b: GidSnap; e: GidSnap; compared: boolean }): Relation {
  if (d.compared) return d.b.b === latest.b ? 'applicable' : 'not-applicable';
  if (d.b.b > latest.b) return 'too-new-diff';
  if (d.e.b <= latest.b) return 'too-old-diff';
  return 'applicable';
}
