/**
 * The 56 meaningful bytes of a wlog file header (spec/walb-formats.md), read to check that a batch
 * is the log the storage announced: same device (uuid, salt, pbs) and the same lsid range.
 */
import { open } from 'node:fs/promises';

import { InputError } from '../../../common/errors.js';
import type { BatchMeta } from './admit.js';

export interface WlogHeader {
  pbs: number;
  salt: number;
  uuid: string;
  beginLsid: number;
  endLsid: number;
}

export async function readWlogHeader(path: string): Promise<WlogHeader> {
  const h = await open(path, 'r');
  const b = Buffer.alloc(56);
  try {
    const { bytesRead } = await h.read(b, 0, 56, 0);
    if (bytesRead < 56) throw new InputError(`a wlog header needs 56 bytes, the file has ${bytesRead}`, `${path}: byte 0`);
  } finally {
    await h.close();
  }
  if (b.readUInt16LE(0) !== 4) throw new InputError(`sector_type ${b.readUInt16LE(0)} is not a wlog header's (4)`, `${path}: byte 0`);
  return {
    salt: b.readUInt32LE(12),
    pbs: b.readUInt32LE(20),
    uuid: b.subarray(24, 40).toString('hex'),
    beginLsid: Number(b.readBigUInt64LE(40)),
    endLsid: Number(b.readBigUInt64LE(48)),
  };
}

/** Throws InputError naming the byte offset of the first header field that is not what `m` says. */
export function checkHeader(path: string, h: WlogHeader, m: BatchMeta): void {
  const want = m.device.uuid.replace(/-/g, '').toLowerCase();
  const bad = (field: string, offset: number, got: unknown, expected: unknown): never => {
    throw new InputError(`${field} is ${String(got)}, the batch announced ${String(expected)}`, `${path}: byte ${offset}`);
  };
  if (h.salt !== m.device.salt) bad('log_checksum_salt', 12, h.salt, m.device.salt);
  if (h.pbs !== m.device.pbs) bad('physical_bs', 20, h.pbs, m.device.pbs);
  if (h.uuid !== want) bad('uuid', 24, h.uuid, want);
  if (h.beginLsid !== m.lsid.b) bad('begin_lsid', 40, h.beginLsid, m.lsid.b);
  if (h.endLsid !== m.lsid.e) bad('end_lsid', 48, h.endLsid, m.lsid.e);
}
