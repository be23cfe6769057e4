// A batch read straight out of the log ring (ring-wlog.ts, `extract --frame-only`) is byte for byte
// the wlog file the full extract writes, also where the batch wraps past the ring's end and where
// a byte bound cuts it.
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
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

function scribble(file: string, bytes: number): void {
  const fd = openSync(file, 'r+');
  try {
    for (let done = 0; done < bytes; done += 16384) writeSync(fd, randomBytes(16384), 0, 16384, Math.floor(Math.random() * ((SIZE - 16384) / 4096)) * 4096);
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
});
