/**
 * walbctl against WalB's own binaries (../shared/walb-tools/bin) on WalB's random logs: `wlog-gen` at
 * random settings, converted and merged by both tools. The images must be equal and the uncompressed
 * sorted outputs byte-identical after the 32-byte file header (the uuid and header checksum may differ).
 * Skips, saying why, where WalB's binaries are missing or do not run.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, ftruncateSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { applyLogs, convertWlog, mergeWdiffs } from '../../native/lib/index.js';
import { sharedDir } from '../helpers/cli.js';
import { prng, sha1, tempDir } from './helpers.js';

const walbBin = join(sharedDir, 'walb-tools/bin');
const probe = spawnSync(join(walbBin, 'wlog-gen'), ['-z', '64K', '-o', '/dev/null'], { encoding: 'utf8' });
const skipReason =
  probe.error !== undefined
    ? `WalB's wlog-gen does not run from ${walbBin}: ${probe.error.message}`
    : probe.status !== 0
      ? `WalB's wlog-gen fails here (exit ${probe.status}): ${probe.stderr.trim().split('\n')[0]}`
      : '';
if (skipReason) console.warn(`walb-tools.test.ts skipped: ${skipReason}`);

function walb(tool: string, args: string[]): void {
  const r = spawnSync(join(walbBin, tool), args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
}

/** Index of the first byte after `skip` where a and b differ, or -1 when they are equal. */
function firstDifference(a: Buffer, b: Buffer, skip: number): number {
  const n = Math.min(a.length, b.length);
  for (let i = skip; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

interface Settings {
  pbs: number;
  minIo: number;
  maxIo: number;
  logBytes: number;
  nodiscard: boolean;
  rand: boolean;
}

// Trial 0 is the repro (4 KiB IOs, so later writes cut earlier ones into all-zero pieces);
// the others are drawn from a seeded generator, so a failure names settings that reproduce it.
const rand = prng(0x16);
const pick = <T,>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
const trials: Settings[] = [{ pbs: 4096, minIo: 4096, maxIo: 4096, logBytes: 8 << 20, nodiscard: true, rand: false }];
for (let i = 0; i < 3; i++) {
  const pbs = pick([512, 4096]);
  trials.push({
    pbs,
    minIo: pick([512, 4096]),
    maxIo: pick([4096, 32 << 10, 256 << 10]),
    logBytes: pick([2 << 20, 4 << 20]),
    nodiscard: rand() < 0.5,
    rand: rand() < 0.5,
  });
}

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir('walbctl-walb-tools-');
});
afterAll(() => tmp?.cleanup());

describe.skipIf(skipReason !== '')("walbctl and WalB's tools on WalB's random logs", () => {
  it.each(trials.map((s, i) => [i, JSON.stringify(s), s] as const))(
    'convert and merge to the same images and byte-identical uncompressed wdiffs (trial %i: %s)',
    async (i, _label, s) => {
      const d = (f: string) => join(tmp.dir, `t${i}-${f}`);
      const gen = (out: string, lsid: number) =>
        walb('wlog-gen', [
          '-b', String(s.pbs), '-s', '16M', '-z', String(s.logBytes), '--minIoSize', String(s.minIo), '--maxIoSize',
          String(Math.max(s.minIo, s.maxIo)), '--lsid', String(lsid), ...(s.nodiscard ? ['--nodiscard'] : []), ...(s.rand ? ['--rand'] : []), '-o', out,
        ]);
      gen(d('1.wlog'), 0);
      gen(d('2.wlog'), 1 << 30);
      let checks = 0;
      for (const k of ['1', '2']) {
        walb('wlog-to-wdiff', ['-i', d(`${k}.wlog`), '-o', d(`${k}.walb.wdiff`)]); // snappy, WalB's choice
        walb('wdiff-merge', ['-cmpr', 'none:0:1', '-i', d(`${k}.walb.wdiff`), '-o', d(`${k}.walb.none.wdiff`)]);
        await convertWlog([d(`${k}.wlog`)], d(`${k}.none.wdiff`), { compression: 'none' });
        const ours = readFileSync(d(`${k}.none.wdiff`));
        const theirs = readFileSync(d(`${k}.walb.none.wdiff`));
        expect(firstDifference(ours, theirs, 32), `conversion of wlog ${k}: first differing byte`).toBe(-1);
        checks++;
      }
      walb('wdiff-merge', ['-cmpr', 'none:0:1', '-i', d('1.walb.wdiff'), d('2.walb.wdiff'), '-o', d('m.walb.wdiff')]);
      await mergeWdiffs([d('1.none.wdiff'), d('2.none.wdiff')], d('m.wdiff'), { compression: 'none' });
      await mergeWdiffs([d('1.walb.wdiff'), d('2.walb.wdiff')], d('m-of-walb.wdiff'), { compression: 'none' });
      const theirs = readFileSync(d('m.walb.wdiff'));
      expect(firstDifference(readFileSync(d('m.wdiff')), theirs, 32), 'merge of our conversions: first differing byte').toBe(-1);
      expect(firstDifference(readFileSync(d('m-of-walb.wdiff')), theirs, 32), "merge of WalB's conversions: first differing byte").toBe(-1);
      checks += 2;
      // Images: WalB's wdiff-redo of its merge against walbctl's apply of its own merge, and both
      // against WalB's wlog-redo of the two logs.
      for (const f of ['walb', 'ours', 'logs']) writeFileSync(d(`${f}.img`), Buffer.alloc(16 << 20));
      // walbctl's wlog target is sparse with written 4 KiB blocks every 8 KiB: direct writes (where
      // blocks exist) and buffered ones (holes) meet in neighbouring sectors and pages.
      const fd = openSync(d('ours-logs.img'), 'w');
      ftruncateSync(fd, 16 << 20);
      for (let off = 0; off < 16 << 20; off += 8192) writeSync(fd, Buffer.alloc(4096), 0, 4096, off);
      closeSync(fd);
      walb('wdiff-redo', ['-z', '-i', d('m.walb.wdiff'), d('walb.img')]);
      await applyLogs([d('m.wdiff')], d('ours.img'));
      walb('wlog-redo', ['-z', '-i', d('1.wlog'), d('logs.img')]);
      walb('wlog-redo', ['-z', '-i', d('2.wlog'), d('logs.img')]);
      // walbctl's wlog apply (direct writes in flight, later ones cutting earlier ones) as WalB's wlog-redo.
      await applyLogs([d('1.wlog')], d('ours-logs.img'));
      await applyLogs([d('2.wlog')], d('ours-logs.img'));
      const logs = sha1(readFileSync(d('logs.img')));
      expect(sha1(readFileSync(d('ours-logs.img')))).toBe(logs);
      expect(sha1(readFileSync(d('ours.img')))).toBe(logs);
      expect(sha1(readFileSync(d('walb.img')))).toBe(logs);
      checks += 3;
      expect(checks).toBe(7);
    },
    60_000,
  );
});
