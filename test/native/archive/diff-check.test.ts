/**
 * The archive's check of its diffs: a diff with one flipped byte is found by its checksums, moved out
 * of the chain into set-aside/ (kept, recorded with the file, offset and time), which leaves a hole;
 * the intact diffs stay; a diff is not verified again until its file changes; a volume whose folder
 * did not change is looked into only when statEveryMs has passed or a recheck is due; and while an
 * action that reads diffs runs, the corrupt diff is left in place for the next check.
 */
import { existsSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { chainHealth } from '../../../common/diff-chain.js';
import { archivePaths, DiffChecker, listDiffs, observeArchive, setAsideDir } from '../../../native/lib/archive/index.js';
import { beginAction } from '../../../native/lib/archive/volume.js';
import { showWdiff } from '../../../native/lib/wdiff.js';
import { fullBackup, snapshot } from '../../../native/lib/storage/index.js';
import { freshVolume, randomChange, rng, writeAt, type Fixture } from './_workload.js';

/** Flips the byte one past the start of the first data record's data; returns where that record's data starts. */
async function flipByte(path: string): Promise<number> {
  const record = (await showWdiff(path)).records.find((x) => x.dataSize > 2)!;
  const bytes = readFileSync(path);
  bytes[record.dataOffset + 1] ^= 0xff;
  writeFileSync(path, bytes);
  return record.dataOffset;
}

describe('the archive’s check of its diffs', () => {
  let f: Fixture;
  beforeAll(async () => {
    const r = rng(11);
    f = await freshVolume({ size: 1 << 20, bulkSize: 4096 });
    await fullBackup(f.dataDir, f.vol);
    for (let s = 0; s < 4; s++) {
      for (let c = 0; c < 3; c++) randomChange(f.device, f.size, r);
      writeAt(f.device, 8192 * (s + 1), Buffer.alloc(5000, 0x61 + s));
      await snapshot(f.dataDir, f.vol, { explicit: true });
    }
  });
  afterAll(async () => {
    await rm(f.dir, { recursive: true, force: true });
  });

  it('verifies every diff once and leaves intact ones in the chain', async () => {
    const checker = new DiffChecker();
    const first = await checker.check(f.dataDir, f.vol);
    expect(first).toEqual({ checked: 4, setAside: [], deferred: [] });
    expect(await checker.check(f.dataDir, f.vol)).toEqual({ checked: 0, setAside: [], deferred: [] });
  });

  it('looks at the diffs of a volume whose folder did not change only when statEveryMs has passed or a recheck is due', async () => {
    const dir = archivePaths(f.dataDir, f.vol).dir;
    const diffs = await listDiffs(f.dataDir, f.vol);
    let clock = 1_000_000;
    // A diff's mtime moved in place: its folder does not change.
    const touch = (i: number) => utimesSync(join(dir, diffs[i]!.file), new Date(), new Date(clock + i * 1000));

    const hour = 3_600_000;
    const byRecheck = new DiffChecker({ now: () => clock, recheckMs: hour, statEveryMs: 10 * hour });
    expect((await byRecheck.check(f.dataDir, f.vol)).checked).toBe(4);
    touch(0);
    clock += hour / 2;
    expect((await byRecheck.check(f.dataDir, f.vol)).checked).toBe(0);
    // The folder changes (a file comes and goes): every diff is stat'ed, the touched one verified.
    writeFileSync(join(dir, 'probe.tmp'), 'x');
    rmSync(join(dir, 'probe.tmp'));
    expect((await byRecheck.check(f.dataDir, f.vol)).checked).toBe(1);
    expect((await byRecheck.check(f.dataDir, f.vol)).checked).toBe(0);
    // The first three verified an hour ago fall due, the folder unchanged.
    clock += hour / 2 + 1;
    expect((await byRecheck.check(f.dataDir, f.vol)).checked).toBe(3);

    const byStat = new DiffChecker({ now: () => clock, recheckMs: 10 * hour, statEveryMs: 60_000 });
    expect((await byStat.check(f.dataDir, f.vol)).checked).toBe(4);
    touch(1);
    clock += 30_000;
    expect((await byStat.check(f.dataDir, f.vol)).checked).toBe(0);
    clock += 30_001;
    expect((await byStat.check(f.dataDir, f.vol)).checked).toBe(1);
  });

  it('leaves a corrupt diff in place while an action that reads diffs runs, and sets it aside on the next check', async () => {
    // Looks at the folder on every call: the flipped byte changes the diff in place.
    const checker = new DiffChecker({ statEveryMs: 0 });
    await checker.check(f.dataDir, f.vol);
    const diffs = await listDiffs(f.dataDir, f.vol);
    const victim = diffs[2]!;
    const path = join(archivePaths(f.dataDir, f.vol).dir, victim.file);
    const offset = await flipByte(path);

    const running = await beginAction(f.dataDir, f.vol, { op: 'restore' });
    try {
      expect(await checker.check(f.dataDir, f.vol)).toMatchObject({ checked: 1, setAside: [], deferred: [victim.file] });
      expect(existsSync(path)).toBe(true);
    } finally {
      await running.end();
    }

    const r = await checker.check(f.dataDir, f.vol);
    expect(r.setAside).toEqual([expect.objectContaining({ file: victim.file, from: victim.b.b, to: victim.e.b })]);
    expect(r.setAside[0]!.reason).toContain(path);
    expect(r.setAside[0]!.reason).toContain(`byte ${offset}: record data checksum mismatch`);
    // Kept beside the chain, not deleted; recorded in the archive's state.
    expect(existsSync(path)).toBe(false);
    expect(existsSync(join(setAsideDir(archivePaths(f.dataDir, f.vol)), victim.file))).toBe(true);
    const a = (await observeArchive(f.dataDir, f.vol))!;
    expect(a.setAside).toEqual(r.setAside);
    // The chain now has a hole where it was: nothing past it is restorable.
    const health = chainHealth(a.base, a.diffs, a.setAside);
    expect(health).toMatchObject({ contiguousTo: victim.b.b, hole: { after: victim.b.b, before: victim.e.b } });
    expect(a.restorable.map((x) => x.gid).filter((g) => g > victim.b.b)).toEqual([]);
  });
});
