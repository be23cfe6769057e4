// kill -9 of the wdev process at random moments while writers fsync: after each restart (which
// replays the log) every write acknowledged by an fsync is there, and so it is in the restore of
// the newest snapshot taken after the last crash.
//
// Sizing: the ring is freed only when a snapshot ships, every SHIP_EVERY trials, so those trials'
// log must fit in the ring or the volume (rightly) overflows. A fsync'd 4 KiB write costs at most
// two ring blocks (its data and, at worst, a logpack header of its own), so each writer makes at
// most WRITES_PER_TRIAL writes per trial, and the kill comes at a random point of that work rather
// than after a random time: how much is written no longer depends on the machine's speed or load.
import { spawn } from 'node:child_process';
import { readFileSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { restore } from '../../../native/lib/archive/restore.js';
import { backupWdev, snapshotWdev } from '../../../native/lib/wdev/capture.js';
import { createWdev } from '../../../native/lib/wdev/create.js';
import { wdevPaths } from '../../../native/lib/wdev/paths.js';
import { isServing, serveWdev } from '../../../native/lib/wdev/serve.js';
// @ts-expect-error: a plain .mjs helper shared with the child processes
import { blockOf, contentOf } from './crash-writer.mjs';
import { killAndWait, Scratch, wdevSkipReason } from './fixture.js';

const writerPath = fileURLToPath(new URL('./crash-writer.mjs', import.meta.url));
const BLOCKS = 8192; // 32 MiB of 4 KiB blocks
const WRITERS = 3;
const TRIALS = 20;
const RING_BLOCKS = 4096; // 16 MiB: the lsids wrap the ring several times over the trials
const SHIP_EVERY = 5; // a snapshot ships the log of this many crashes at once
const MAX_RING_PER_WRITE = 2; // one data block plus at most one logpack header
const WRITES_PER_TRIAL = Math.floor(RING_BLOCKS / (SHIP_EVERY * WRITERS * MAX_RING_PER_WRITE)); // 136

interface Acked {
  trial: number;
  w: number;
  seq: number;
}

interface Writer {
  /** Resolves once the writer has the file open. */
  started: Promise<void>;
  /** Resolves to the highest sequence number an fsync acknowledged, -1 for none. */
  acked: Promise<number>;
  /** The highest sequence number acknowledged so far, -1 for none. */
  progress(): number;
}

interface WriterOptions {
  writers?: number;
  /** At most this many writes (default: the writer's whole share of the blocks). */
  count?: number;
  /** Called after each acknowledgement the writer printed. */
  onAck?: () => void;
}

function startWriter(file: string, w: number, trial: number, seed: number, every: number, opts: WriterOptions = {}): Writer {
  const args = [file, w, opts.writers ?? WRITERS, trial, seed, BLOCKS, every, ...(opts.count === undefined ? [] : [opts.count])];
  const child = spawn(process.execPath, [writerPath, ...args.map(String)]);
  let out = '';
  let highest = -1;
  let onStart = () => {};
  const started = new Promise<void>((r) => (onStart = r));
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.startsWith('start\n')) onStart();
    const acks = out.split('\n').filter((l) => /^ack \d+$/.test(l)).map((l) => Number(l.slice(4)));
    if (acks.length && Math.max(...acks) > highest) {
      highest = Math.max(...acks);
      opts.onAck?.();
    }
  });
  const acked = new Promise<number>((resolve) => {
    child.on('exit', () => {
      onStart();
      const acks = out.split('\n').filter((l) => l.startsWith('ack ')).map((l) => Number(l.slice(4)));
      resolve(acks.length ? Math.max(...acks) : -1);
    });
  });
  return { started, acked, progress: () => highest };
}


const skip = wdevSkipReason();

describe.skipIf(skip)('a wdev killed with SIGKILL', () => {
  const s = new Scratch('crash');
  const vol = 'crash';
  let file: string;
  // block -> the newest acknowledged write to it, and whether a later unacknowledged one may have landed
  const model = new Map<number, { acked: Acked; uncertain: boolean }>();

  beforeAll(async () => {
    s.volume(vol);
    s.volume('replay');
    await createWdev(s.dataDir, vol, { sizeBytes: BLOCKS * 4096, ringBytes: RING_BLOCKS * 4096 });
    file = wdevPaths(s.dataDir, vol).file;
  }, 120_000);
  afterAll(() => s.cleanup(), 120_000);

  it(`keeps every fsync-acknowledged write over ${TRIALS} kills at random moments`, { timeout: 300_000 }, async () => {
    let replayed = 0;
    let shippedAt = 0; // the trial whose log the last ship starts with
    for (let trial = 0; trial < TRIALS; trial++) {
      const served = await serveWdev(s.dataDir, vol, { checkpointMs: 200 });
      replayed += served.recoveredPacks;
      if (trial === 0) await backupWdev(s.dataDir, vol);
      // The restart kept the log within what the trials since the last ship can have written.
      const st = (await isServing(wdevPaths(s.dataDir, vol)))!;
      expect(st.overflow, `trial ${trial}: overflowed`).toBe(false);
      expect(st.usagePb, `trial ${trial}: log usage`).toBeLessThanOrEqual((trial - shippedAt) * WRITERS * WRITES_PER_TRIAL * MAX_RING_PER_WRITE);

      // Before writing: what the last restart must have kept.
      if (trial > 0) {
        const data = readFileSync(file);
        for (const [block, m] of model) {
          if (m.uncertain) continue;
          const got = data.subarray(block * 4096, (block + 1) * 4096);
          expect(got.equals(contentOf(m.acked.trial, m.acked.w, m.acked.seq)), `trial ${trial}: block ${block} lost ${JSON.stringify(m.acked)}`).toBe(true);
        }
        if (trial % SHIP_EVERY === 0) {
          await snapshotWdev(s.dataDir, vol); // ships the log of the last SHIP_EVERY crashes
          shippedAt = trial;
          expect((await isServing(wdevPaths(s.dataDir, vol)))!.usagePb, `trial ${trial}: log freed by the ship`).toBe(0);
        }
      }

      const seed = Math.floor(Math.random() * 100_000);
      const every = 1 + Math.floor(Math.random() * 8);
      // The kill comes once the writers together have this many writes acknowledged (or all finished).
      const killAfter = Math.floor(Math.random() * WRITERS * WRITES_PER_TRIAL);
      let killing: Promise<void> | null = null;
      const writers: Writer[] = [];
      const maybeKill = () => {
        if (!killing && writers.reduce((n, x) => n + x.progress() + 1, 0) >= killAfter) killing = killAndWait(served.pid);
      };
      for (let w = 0; w < WRITERS; w++) writers.push(startWriter(file, w, trial, seed, every, { count: WRITES_PER_TRIAL, onAck: maybeKill }));
      await Promise.all(writers.map((x) => x.started));
      maybeKill();
      const acks = await Promise.all(writers.map((x) => x.acked));
      await (killing ?? killAndWait(served.pid));

      for (let w = 0; w < WRITERS; w++) {
        // Writes up to the ack are durable; the one after may or may not have reached the log.
        for (let seq = 0; seq <= Math.min(acks[w]! + 64, WRITES_PER_TRIAL - 1); seq++) {
          const block = blockOf(w, WRITERS, seed, seq, BLOCKS);
          if (seq <= acks[w]!) model.set(block, { acked: { trial, w, seq }, uncertain: false });
          else if (model.has(block)) model.get(block)!.uncertain = true;
        }
      }
    }
    const last = await serveWdev(s.dataDir, vol);
    replayed += last.recoveredPacks;
    expect(replayed).toBeGreaterThan(0); // the kills did land between checkpoints
    const data = readFileSync(file);
    const snap = (await snapshotWdev(s.dataDir, vol))!;
    const img = join(s.dir, 'newest.img');
    await restore(s.dataDir, vol, snap.gid, { path: img });
    const restored = readFileSync(img);
    let checked = 0;
    for (const [block, m] of model) {
      if (m.uncertain) continue;
      const want = contentOf(m.acked.trial, m.acked.w, m.acked.seq);
      expect(data.subarray(block * 4096, (block + 1) * 4096).equals(want), `block ${block} after the last restart`).toBe(true);
      expect(restored.subarray(block * 4096, (block + 1) * 4096).equals(want), `block ${block} in the restored gid ${snap.gid}`).toBe(true);
      checked++;
    }
    expect(checked).toBeGreaterThan(100);
    expect(restored.equals(data)).toBe(true);
  });

  it('rebuilds a data device that lost every unsynced write from the log alone', { timeout: 60_000 }, async () => {
    await createWdev(s.dataDir, 'replay', { sizeBytes: BLOCKS * 4096, ringBytes: 16 << 20 });
    const p = wdevPaths(s.dataDir, 'replay');
    const served = await serveWdev(s.dataDir, 'replay', { checkpointMs: 3_600_000 }); // no checkpoint: written lsid stays 0
    const acked = await startWriter(p.file, 0, 0, 12345, 4, { writers: 8 }).acked; // 1024 blocks: the log never fills
    expect(acked).toBe(BLOCKS / 8 - 1);
    await killAndWait(served.pid);
    // What a host crash could leave: a data device without the writes that were never synced.
    truncateSync(p.ddev, 0);
    truncateSync(p.ddev, BLOCKS * 4096);
    const again = await serveWdev(s.dataDir, 'replay');
    expect(again.recoveredIos).toBe(acked + 1);
    const data = readFileSync(p.file);
    for (let seq = 0; seq <= acked; seq++) {
      const block = blockOf(0, 8, 12345, seq, BLOCKS);
      expect(data.subarray(block * 4096, (block + 1) * 4096).equals(contentOf(0, 0, seq)), `seq ${seq}`).toBe(true);
    }
  });
});
