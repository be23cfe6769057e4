/**
 * The storage's side of WalB's wlog-transfer (storage → proxy): after the first negotiation, the
 * offer (volume, uuid, pbs, salt, volume size in LB, the most log in pbs blocks); the proxy answers
 * "accept" or an error text; then each logpack as WalB's CompressedData (Next marker, compressed size
 * 0 = raw, original size, the bytes): its header block, then the data of each record that has data
 * (padding included, discards not), padded to whole pbs blocks; the End marker; the MetaDiff the log
 * makes; and the proxy's acknowledgement, sent once it saved and queued the converted diff. The log
 * comes from a wlog file (walbctl's batch: header, packs, END). spec.md has the layouts.
 */
import { createConnection } from 'node:net';
import { open } from 'node:fs/promises';

import { InputError } from '../../../../common/errors.js';
import { checksum } from '../../checksum.js';
import { WalbConn } from './conn.js';
import { Encoder } from './cybozu.js';
import { WalbRefusal } from './errors.js';
import { encodeDiff, uuidBytes, type MetaDiff } from './meta.js';
import { negotiateAsClient, readAck } from './negotiate.js';

/**
 * The pack header without its zero-length padding records (a tool's log may hold one; WalB's
 * receiver expects data for every padding record and refuses an empty frame): n_records and
 * n_padding lowered, the checksum made again with the log's salt. The header itself when it has none.
 */
export function withoutEmptyPadding(h: Buffer, salt: number): Buffer {
  const n = h.readUInt16LE(16);
  const keep: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = 24 + 32 * i;
    if (!((h.readUInt32LE(r + 4) & 2) && h.readUInt32LE(r + 16) === 0)) keep.push(i);
  }
  if (keep.length === n) return h;
  const out = Buffer.alloc(h.length);
  h.copy(out, 0, 0, 24);
  keep.forEach((i, j) => h.copy(out, 24 + 32 * j, 24 + 32 * i, 24 + 32 * (i + 1)));
  out.writeUInt16LE(keep.length, 16);
  out.writeUInt16LE(Math.max(0, h.readUInt16LE(18) - (n - keep.length)), 18);
  out.writeUInt32LE(0, 0);
  out.writeUInt32LE(checksum(out, salt), 0);
  return out;
}

export interface WlogOffer {
  volume: string;
  /** The device's uuid (hex); the wlog's header must carry the same. */
  uuid: string;
  sizeLb: number;
  /** The diff the log becomes: clean snapshots `|B|-->|E|`, its timestamp and mergeable flag. */
  diff: MetaDiff;
}

export interface WalbTarget {
  host: string;
  port: number;
}

export interface SendWlogResult {
  serverId: string;
  packs: number;
  bytes: number;
}

const END_LSID = 0xffffffffffffffffn;

/** Sends the wlog file at `path` to the walb-proxy at `target`; resolves once it acknowledged. */
export async function sendWlogTransfer(target: WalbTarget, clientId: string, offer: WlogOffer, path: string, options: { timeoutMs?: number } = {}): Promise<SendWlogResult> {
  const f = await open(path, 'r');
  const peer = `${target.host}:${target.port}`;
  const socket = createConnection({ host: target.host, port: target.port });
  socket.setTimeout(options.timeoutMs ?? 60_000, () => socket.destroy(new Error(`no progress for ${options.timeoutMs ?? 60_000} ms`)));
  const c = new WalbConn(socket, peer);
  try {
    const head = Buffer.alloc(4096);
    await f.read(head, 0, 4096, 0);
    if (head.readUInt16LE(0) !== 4) throw new InputError(`sector_type ${head.readUInt16LE(0)} is not a wlog header's (4)`, `${path}: byte 0`);
    const salt = head.readUInt32LE(12);
    const pbs = head.readUInt32LE(20);
    if (pbs !== 512 && pbs !== 4096) throw new InputError(`physical_bs ${pbs} is neither 512 nor 4096`, `${path}: byte 20`);
    if (head.subarray(24, 40).toString('hex') !== uuidBytes(offer.uuid).toString('hex')) throw new InputError(`the wlog's uuid is not the volume's ${offer.uuid}`, `${path}: byte 24`);
    const beginLsid = head.readBigUInt64LE(40);
    const endLsid = head.readBigUInt64LE(48);
    const { size } = await f.stat();
    const maxLogSizePb = Math.ceil(Math.max(0, size - 4096) / pbs);

    const serverId = await negotiateAsClient(c, clientId, 'wlog-transfer');
    const remote = `${serverId} (${peer})`;
    await c.write(new Encoder().string(offer.volume).raw(uuidBytes(offer.uuid)).u32(pbs).u32(salt).u64(offer.sizeLb).u64(maxLogSizePb).bytes());
    const answer = await c.string('offer answer');
    if (answer !== 'accept') throw new WalbRefusal(remote, 'wlog-transfer', answer, { retryable: true });

    const frame = (b: Buffer): Buffer => new Encoder().u8(0).u32(0).u32(b.length).raw(b).bytes();
    let at = 4096;
    let lsid = beginLsid;
    let packs = 0;
    let bytes = 0;
    while (at + pbs <= size && lsid < endLsid) {
      const h = Buffer.alloc(pbs);
      await f.read(h, 0, pbs, at);
      const packLsid = h.readBigUInt64LE(8);
      const n = h.readUInt16LE(16);
      if (h.readUInt16LE(4) !== 3 || packLsid === END_LSID || n === 0) break;
      if (packLsid !== lsid) throw new InputError(`logpack lsid ${packLsid} where lsid ${lsid} was next`, `${path}: byte ${at + 8}`);
      const totalIo = h.readUInt16LE(6);
      const data = Buffer.alloc(totalIo * pbs);
      const { bytesRead } = await f.read(data, 0, data.length, at + pbs);
      if (bytesRead < data.length) throw new InputError(`the pack's ${data.length} data bytes end after ${bytesRead}`, `${path}: byte ${at + pbs}`);
      const sent = withoutEmptyPadding(h, salt);
      await c.write(frame(sent));
      for (let i = 0; i < sent.readUInt16LE(16); i++) {
        const r = 24 + 32 * i;
        const flags = sent.readUInt32LE(r + 4);
        if (!(flags & 1) || flags & 4) continue;
        const ioPb = Math.ceil((sent.readUInt32LE(r + 16) * 512) / pbs);
        const local = sent.readUInt16LE(r + 20);
        const start = (local - 1) * pbs;
        if (local < 1 || start + ioPb * pbs > data.length) throw new InputError(`record ${i}: lsid_local ${local} and ${ioPb} blocks are outside the pack's ${totalIo}`, `${path}: byte ${at + r + 20}`);
        await c.write(frame(data.subarray(start, start + ioPb * pbs)));
      }
      packs++;
      bytes += pbs + data.length;
      at += pbs + data.length;
      lsid = packLsid + 1n + BigInt(totalIo);
    }
    await c.write(Buffer.from([1]));
    await c.write(encodeDiff(new Encoder(), offer.diff).bytes());
    await readAck(c, 'acknowledgement');
    return { serverId, packs, bytes };
  } finally {
    socket.destroy();
    await f.close();
  }
}
