// A batch read straight out of the log ring (ring-wlog.ts, `extract --frame-only`) is byte for byte
// the wlog file the full extract writes, also where the batch wraps past the ring's end and where
// a byte bound cuts it.
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, readSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createWdev } from '../../../native/lib/wdev/create.js';
import { runWdev } from '../../../native/lib/wdev/binary.js';
import { controlRequest } from '../../../native/lib/wdev/control.js';
import { extractFrame, extractWlog, setOldest, syncLog, type ExtractResult } from '../../../native/lib/wdev/log-position.js';
import { wdevPaths } from '../../../native/lib/wdev/paths.js';
import { openRingWlog, ringWlogBytes } from '../../../native/lib/wdev/ring-wlog.js';
import { serveWdev } from '../../../native/lib/wdev/serve.js';
import { Scratch, wdevSkipReason } from './fixture.js';

const SIZE = 16 << 20;
const RING = 4 << 20;

function scribble(file: string, bytes: number, sizes = [16384]): void {
  const fd = openSync(file, 'r+');
  try {
    for (let done = 0, i = 0; done < bytes; i++) {
      const n = sizes[i % sizes.length]!;
      writeSync(fd, randomBytes(n), 0, n, Math.floor(Math.random() * ((SIZE - n) / 4096)) * 4096);
      done += n;
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Reads the whole ring-sourced wlog in reads of `piece` bytes (as the wire does, 1 MiB, or odd sizes). */
async function readAll(ldev: string, frame: string, r: { from: number; to: number; ringBlocks: number; pbs: number }, piece: number): Promise<Buffer> {
  const src = await openRingWlog(ldev, frame, r);
  const out = Buffer.alloc(ringWlogBytes(r));
  try {
    for (let pos = 0; pos < out.length; ) {
      const n = await src.read(out, pos, Math.min(piece, out.length - pos), pos);
      expect(n).toBeGreaterThan(0);
      pos += n;
    }
    expect(await src.read(Buffer.alloc(16), 0, 16, out.length)).toBe(0);
  } finally {
    await src.close();
  }
  return out;
}

describe.skipIf(wdevSkipReason())('a batch read straight out of the log ring', () => {
  const s = new Scratch('ringwlog');
  const vol = 'rw';
  const p = () => wdevPaths(s.dataDir, vol);

  beforeAll(async () => {
    s.volume(vol);
    await createWdev(s.dataDir, vol, { sizeBytes: SIZE, ringBytes: RING });
    await serveWdev(s.dataDir, vol);
  }, 120_000);
  afterAll(() => s.cleanup(), 120_000);

  it('is the extracted wlog byte for byte, across the ring end and under a byte bound', { timeout: 120_000 }, async () => {
    // Write and free until the unshipped log straddles the ring's end (bounded: 40 rounds).
    let st = await syncLog(p(), vol);
    const blocks = st.capacityPb;
    let wrapped = false;
    for (let i = 0; i < 40 && !wrapped; i++) {
      await setOldest(p(), vol, st.permanentLsid);
      scribble(p().file, 768 << 10);
      st = await syncLog(p(), vol);
      wrapped = Math.floor(st.oldestLsid / blocks) !== Math.floor((st.permanentLsid - 1) / blocks);
    }
    expect(wrapped, `the log [${st.oldestLsid}, ${st.permanentLsid}) crosses the end of a ${blocks}-block ring`).toBe(true);
    for (const maxBytes of [0, 200 << 10]) {
      const range = { from: st.oldestLsid, to: st.permanentLsid, ...(maxBytes ? { maxBytes } : {}) };
      const file = join(s.dir, `full-${maxBytes}.wlog`);
      const frame = join(s.dir, `frame-${maxBytes}`);
      const full = await extractWlog(p(), vol, range, file);
      const x = await extractFrame(p(), vol, range, frame);
      expect(x.to).toBe(full.to);
      expect(x.packs).toBe(full.packs);
      expect(x.bytes).toBe(statSync(file).size);
      expect(statSync(frame).size).toBe(4096 + x.pbs);
      const want = readFileSync(file);
      const r = { from: x.from, to: x.to, ringBlocks: x.ringBlocks, pbs: x.pbs };
      expect(ringWlogBytes(r)).toBe(want.length);
      for (const piece of [1 << 20, 4096 * 3 + 17]) expect((await readAll(p().ldev, frame, r, piece)).equals(want), `reads of ${piece} bytes`).toBe(true);
    }
  });

  it('is extracted by the serving process as the binary extracts it, also into a path with a space, and refused alike out of range', { timeout: 120_000 }, async () => {
    scribble(p().file, 512 << 10);
    const st = await syncLog(p(), vol);
    const range = { from: st.oldestLsid, to: st.permanentLsid };
    const byServer = join(s.dir, 'by server.wlog');
    const byBinary = join(s.dir, 'by-binary.wlog');
    const served = await controlRequest<ExtractResult>(p().socket, `extract ${range.from} ${range.to} 0 0 ${byServer}`);
    const spawned = await runWdev<ExtractResult>(['extract', '--ldev', p().ldev, '--from', String(range.from), '--to', String(range.to), '--permanent', String(range.to), '--out', byBinary], { vol });
    expect(served).toEqual(spawned);
    expect(served!.packs).toBeGreaterThan(0);
    expect(readFileSync(byServer).equals(readFileSync(byBinary))).toBe(true);
    // extractWlog goes to the server; past the permanent lsid both refuse with bad-lsid.
    expect(await extractWlog(p(), vol, range, join(s.dir, 'via-lib.wlog'))).toEqual(spawned);
    const past = { from: range.from, to: range.to + 4096 };
    await expect(extractWlog(p(), vol, past, join(s.dir, 'past.wlog'))).rejects.toMatchObject({ wdevCode: 'bad-lsid' });
    await expect(runWdev(['extract', '--ldev', p().ldev, '--from', String(past.from), '--to', String(past.to), '--out', join(s.dir, 'past2.wlog')], { vol })).rejects.toMatchObject({ wdevCode: 'bad-lsid' });
  });

  it('walks large packs by their header block alone and small ones by windows, as the full extract does', { timeout: 120_000 }, async () => {
    // 1 MiB writes make packs larger than the walk's 64 KiB "wide" bound; 4 KiB ones small packs.
    await setOldest(p(), vol, (await syncLog(p(), vol)).permanentLsid);
    scribble(p().file, 3 << 20, [1 << 20, 4096, 4096, 8192, 1 << 20, 4096]);
    const st = await syncLog(p(), vol);
    const range = { from: st.oldestLsid, to: st.permanentLsid };
    const full = await extractWlog(p(), vol, range, join(s.dir, 'mixed.wlog'));
    const frame = join(s.dir, 'mixed-frame');
    const x = await extractFrame(p(), vol, range, frame);
    expect(x.packs).toBe(full.packs);
    expect(x.to).toBe(full.to);
    const want = readFileSync(join(s.dir, 'mixed.wlog'));
    const sizes = packSizes(want, x.pbs);
    expect(Math.max(...sizes), 'a pack of more than 64 KiB').toBeGreaterThan(64 << 10);
    expect(Math.min(...sizes), 'a pack of a few blocks').toBeLessThanOrEqual(16 << 10);
    const r = { from: x.from, to: x.to, ringBlocks: x.ringBlocks, pbs: x.pbs };
    expect((await readAll(p().ldev, frame, r, 1 << 20)).equals(want)).toBe(true);
  });

  it('refuses a batch whose pack header was damaged in the ring, naming its ldev byte offset', { timeout: 120_000 }, async () => {
    await setOldest(p(), vol, (await syncLog(p(), vol)).permanentLsid);
    scribble(p().file, 1 << 20, [4096, 8192, 16384]);
    const st = await syncLog(p(), vol);
    const range = { from: st.oldestLsid, to: st.permanentLsid };
    const wlog = await extractWlog(p(), vol, range, join(s.dir, 'dmg.wlog'));
    const packs = packSizes(readFileSync(join(s.dir, 'dmg.wlog')), wlog.pbs);
    expect(packs.length).toBeGreaterThan(4);
    // The header of a pack in the middle: its lsid, then its byte in the ring (kRingOffset 8192).
    const k = Math.floor(packs.length / 2);
    const lsid = range.from + packs.slice(0, k).reduce((a, b) => a + b, 0) / wlog.pbs;
    const at = 8192 + (lsid % wlog.ringBlocks) * wlog.pbs + 40;
    const fd = openSync(p().ldev, 'r+');
    const was = Buffer.alloc(1);
    try {
      readSync(fd, was, 0, 1, at);
      writeSync(fd, Buffer.from([was[0]! ^ 0x5a]), 0, 1, at);
      fsyncSync(fd);
      const err = await extractFrame(p(), vol, range, join(s.dir, 'dmg-frame')).catch((e: Error) => e);
      expect(err).toMatchObject({ name: 'WdevCorruptError', file: p().ldev, offset: at - 40 });
      expect((err as Error).message).toContain(`byte offset ${at - 40} (lsid ${lsid}): logpack header checksum mismatch`);
    } finally {
      writeSync(fd, was, 0, 1, at);
      fsyncSync(fd);
      closeSync(fd);
    }
    expect((await extractFrame(p(), vol, range, join(s.dir, 'dmg-frame'))).packs).toBe(packs.length);
  });
});

/** The byte sizes of a wlog file's packs, in order (header block: total_io_size, a u16 at +6). */
function packSizes(wlog: Buffer, pbs: number): number[] {
  const out: number[] = [];
  for (let at = 4096; at + pbs < wlog.length; ) {
    const size = (1 + wlog.readUInt16LE(at + 6)) * pbs;
    out.push(size);
    at += size;
  }
  return out;
}
