/**
 * The archive's side of WalB's wdiff-transfer (proxy → archive), after the first negotiation: the
 * proxy offers a diff (volume, host type, uuid, max IO blocks, size in LB, MetaDiff); the archive
 * answers "accept" or one of WalB's refusals and closes; on accept, packs stream (Next marker, the
 * pack's size, the pack) until the End marker; the archive writes them as a sorted wdiff (header,
 * packs, END pack), makes it part of the volume (`sink.commit`, durable) and only then sends the
 * acknowledgement. The proxy deletes its copy after the acknowledgement: one lost is the same diff
 * offered again, answered too-old-diff. spec.md beside this file has the message layouts.
 */
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';

import type { WalbConn } from './conn.js';
import { Encoder } from './cybozu.js';
import { readDiff, readUuid, type MetaDiff } from './meta.js';
import { ackBytes } from './negotiate.js';
import { checkPack, endPack, PACK_HEADER_SIZE, PACK_MAX_DATA, sortedWdiffHeader } from './wdiff-pack.js';

/** WalB's answers to an offered diff (protocol.hpp); `accept` starts the stream. */
export type WdiffAnswer = 'accept' | 'too-old-diff' | 'too-new-diff' | 'different-uuid' | 'stopped' | 'wdiff-recv' | 'syncing' | 'archive-not-found' | 'smaller-lv-size';

export interface WdiffOffer {
  /** The proxy's node id (its first negotiation). */
  clientId: string;
  /** The IP address the connection came from (IPv4-mapped IPv6 as plain IPv4). */
  peerAddress: string;
  volume: string;
  /** `proxy` or `archive` (WalB's host types). */
  hostType: string;
  uuid: string;
  sizeLb: number;
  diff: MetaDiff;
}

/** What the archive does with an offer: its verdict, then (on accept) the received file. */
export interface WdiffSink {
  decide(offer: WdiffOffer): Promise<WdiffAnswer> | WdiffAnswer;
  /** A directory on the volume's file system for the file being received. */
  tempDir(offer: WdiffOffer): string;
  /** Makes the sorted wdiff at `path` part of the volume, durably (or throws). It may move the file. */
  commit(offer: WdiffOffer, path: string): Promise<void>;
}

export type WdiffOutcome = { answer: Exclude<WdiffAnswer, 'accept'>; offer: WdiffOffer } | { answer: 'accept'; offer: WdiffOffer; packs: number; bytes: number };

/** Bytes after which the file is fdatasynced while it is received (WalB: fsyncIntervalSize, 1 GiB). */
const SYNC_EVERY = 1 << 30;

export async function serveWdiffTransfer(c: WalbConn, clientId: string, sink: WdiffSink): Promise<WdiffOutcome> {
  const volume = await c.string('volume id', 256);
  const hostType = await c.string('host type', 64);
  const uuid = await readUuid(c, 'uuid');
  await c.num('maxIoBlocks (unused)', 32);
  const sizeLb = await c.num('volume size in LB');
  const diff = await readDiff(c, 'diff');
  const peerAddress = (c.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  const offer: WdiffOffer = { clientId, peerAddress, volume, hostType, uuid, sizeLb, diff };
  const answer = await sink.decide(offer);
  if (answer !== 'accept') {
    await c.writeFin(new Encoder().string(answer).bytes());
    return { answer, offer };
  }
  await c.write(new Encoder().string('accept').bytes());

  const path = join(sink.tempDir(offer), `.walb-wdiff-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.tmp`);
  const file = await open(path, 'wx');
  let committed = false;
  try {
    let at = 0;
    const put = async (b: Buffer): Promise<void> => {
      await file.write(b, 0, b.length, at);
      at += b.length;
    };
    await put(sortedWdiffHeader(Buffer.from(uuid, 'hex')));
    let packs = 0;
    let unsynced = 0;
    for (;;) {
      const markerAt = c.offset;
      const marker = await c.u8('stream marker');
      if (marker === 1) break;
      if (marker === 3) continue;
      if (marker === 2) c.fail(markerAt, 'stream marker', 'the proxy sent Error: it could not read its diffs');
      if (marker !== 0) c.fail(markerAt, 'stream marker', `${marker} is not Next (0), End (1), Error (2) or Dummy (3)`);
      const sizeAt = c.offset;
      const size = await c.num('pack size');
      if (size < PACK_HEADER_SIZE || size > PACK_HEADER_SIZE + PACK_MAX_DATA) c.fail(sizeAt, 'pack size', `${size} is not between 4096 and 4096 + 32 MiB`);
      const packAt = c.offset;
      const pack = await c.read(size, `pack ${packs}`);
      const bad = checkPack(pack);
      if (bad) c.fail(packAt + bad[0], `pack ${packs}`, bad[1]);
      await put(pack);
      packs++;
      unsynced += pack.length;
      if (unsynced >= SYNC_EVERY) {
        await file.datasync();
        unsynced = 0;
      }
    }
    await put(endPack());
    await file.sync();
    await file.close();
    const bytes = at;
    await sink.commit(offer, path);
    committed = true;
    await c.writeFin(ackBytes());
    return { answer: 'accept', offer, packs, bytes };
  } finally {
    if (!committed) {
      await file.close().catch(() => undefined);
      await rm(path, { force: true });
    }
  }
}
