/**
 * wlog apply writes a window of the log at a time, only what stays visible in it, in address order
 * (native/src/ops/apply.cc). The image must be the one WalB's wlog-redo gives by writing every IO in
 * log order: checked by sha1 on WalB's random logs (overlapping IOs, discards), with windows from a
 * few IOs to the whole log, several logs applied one after another, and the target partly sparse
 * (direct and buffered writes meeting in neighbouring sectors). Skips, saying why, without WalB's
 * binaries. A log that reaches beyond the target is refused before anything is written, whichever window
 * and file the IO beyond the end is in (the leading wlogs have no headers-only pass: their pass 1
 * checks, and the headers of what is left are read before the first window is written).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, ftruncateSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { applyLogs, writeWlog } from '../../native/lib/index.js';
import { sharedDir } from '../helpers/cli.js';
import { blockData, prng, sha1, tempDir } from './helpers.js';

const walbBin = join(sharedDir, 'walb-tools/bin');
const probe = spawnSync(join(walbBin, 'wlog-gen'), ['-z', '64K', '-o', '/dev/null'], { encoding: 'utf8' });
const skipReason =
  probe.error !== undefined
    ? `WalB's wlog-gen does not run from ${walbBin}: ${probe.error.message}`
    : probe.status !== 0
      ? `WalB's wlog-gen fails here (exit ${probe.status}): ${probe.stderr.trim().split('\n')[0]}`
      : '';
if (skipReason) console.warn(`wlog-apply-window.test.ts skipped: ${skipReason}`);

function walb(tool: string, args: string[]): void {
  const r = spawnSync(join(walbBin, tool), args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
}

/** Applies with WALBCTL_APPLY_WINDOW set (bytes of log data per window), restoring it after. */
async function applyWithWindow(inputs: string[], target: string, window: number | undefined): Promise<void> {
  const before = process.env.WALBCTL_APPLY_WINDOW;
  if (window === undefined) delete process.env.WALBCTL_APPLY_WINDOW;
  else process.env.WALBCTL_APPLY_WINDOW = String(window);
  try {
    await applyLogs(inputs, target);
  } finally {
    if (before === undefined) delete process.env.WALBCTL_APPLY_WINDOW;
    else process.env.WALBCTL_APPLY_WINDOW = before;
  }
}

const DEVICE = 4 << 20;
const rand = prng(0x5107);
const pick = <T,>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
// Small devices and IOs up to 64 KiB: later IOs overlap earlier ones often, inside a window and across.
const trials = Array.from({ length: 4 }, (_, i) => ({
  pbs: pick([512, 4096]),
  minIo: 512,
  maxIo: i % 2 === 1 ? 64 << 10 : pick([4096, 32 << 10]),
  nodiscard: i === 0,
  rand: rand() < 0.5,
}));
const windows = [undefined, 1, 64 << 10, 1 << 20];

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir('walbctl-apply-window-');
});
afterAll(() => tmp?.cleanup());

describe.skipIf(skipReason !== '')('wlog apply by windows of the log', () => {
  it.each(trials.map((s, i) => [i, JSON.stringify(s), s] as const))(
    "gives wlog-redo's image for every window size, two logs in a row (trial %i: %s)",
    async (i, _label, s) => {
      const d = (f: string) => join(tmp.dir, `w${i}-${f}`);
      const gen = (out: string, lsid: number) =>
        walb('wlog-gen', [
          '-b', String(s.pbs), '-s', String(DEVICE), '-z', String(3 << 20), '--minIoSize', String(s.minIo), '--maxIoSize', String(s.maxIo),
          '--lsid', String(lsid), ...(s.nodiscard ? ['--nodiscard'] : []), ...(s.rand ? ['--rand'] : []), '-o', out,
        ]);
      gen(d('1.wlog'), 0);
      gen(d('2.wlog'), 1 << 30);
      writeFileSync(d('redo.img'), Buffer.alloc(DEVICE));
      walb('wlog-redo', ['-z', '-i', d('1.wlog'), d('redo.img')]);
      walb('wlog-redo', ['-z', '-i', d('2.wlog'), d('redo.img')]);
      const expected = sha1(readFileSync(d('redo.img')));
      let checked = 0;
      for (const w of windows) {
        const img = d(`ours-${w ?? 'default'}.img`);
        // Written 4 KiB blocks every 8 KiB, holes between.
        const fd = openSync(img, 'w');
        ftruncateSync(fd, DEVICE);
        for (let off = 0; off < DEVICE; off += 8192) writeSync(fd, Buffer.alloc(4096), 0, 4096, off);
        closeSync(fd);
        await applyWithWindow([d('1.wlog')], img, w);
        await applyWithWindow([d('2.wlog')], img, w);
        expect(sha1(readFileSync(img)), `window ${w ?? 'default'}`).toBe(expected);
        checked++;
      }
      expect(checked).toBe(windows.length);
    },
    60_000,
  );
});

describe('wlog apply onto a target too small', () => {
  const TARGET = 1 << 20; // 2048 LB
  it.each([
    ['the first log', 0],
    ['the second log', 1],
  ] as const)('is refused naming %s, nothing written, for every window size', async (_label, bad) => {
    const d = (f: string) => join(tmp.dir, `small${bad}-${f}`);
    const r = prng(0x7a3 + bad);
    const uuid = Buffer.alloc(16, 7);
    // 16 writes of 8 LB inside the target per log; the last IO of log `bad` ends 8 LB beyond it.
    const ios = (beyond: boolean) => [
      ...Array.from({ length: 16 }, (_, k) => ({ kind: 'write' as const, address: k * 64, blocks: 8, data: blockData(r, 8, 'random') })),
      ...(beyond ? [{ kind: 'write' as const, address: 2048, blocks: 8, data: blockData(r, 8, 'random') }] : []),
    ];
    const { endLsid } = await writeWlog(d('1.wlog'), { pbs: 4096, uuid }, ios(bad === 0));
    await writeWlog(d('2.wlog'), { pbs: 4096, uuid, beginLsid: endLsid }, ios(bad === 1));
    const before = Buffer.alloc(TARGET, 0x5a);
    let checked = 0;
    for (const w of [undefined, 4096, 1]) {
      const img = d(`ours-${w ?? 'default'}.img`);
      writeFileSync(img, before);
      const error = await applyWithWindow([d('1.wlog'), d('2.wlog')], img, w).catch((e: unknown) => e);
      expect(error, `window ${w ?? 'default'}`).toMatchObject({ rule: 'target-range', file: d(`${bad + 1}.wlog`) });
      expect((error as { offset: number }).offset).toBeGreaterThan(0);
      expect(readFileSync(img).equals(before), `window ${w ?? 'default'}`).toBe(true);
      checked++;
    }
    expect(checked).toBe(3);
  });
});
