/**
 * A corrupt wdiff found during restore or apply stops the operation with the file and byte offset;
 * the archive and the base stay as they were; verify reports it.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { applyUpTo, archivePaths, listDiffs, observeArchive, restore, verifyArchive } from '../../../native/lib/archive/index.js';
import { InputError } from '../../../common/errors.js';
import { showWdiff } from '../../../native/lib/wdiff.js';
import { fullBackup, snapshot } from '../../../native/lib/storage/index.js';
import { freshVolume, randomChange, rng, sha1, writeAt, type Fixture } from './_workload.js';

describe('a corrupt wdiff in the archive', () => {
  let f: Fixture;
  let victim: string;
  let offset: number;
  const snapshotOf = async () => ({ archive: await observeArchive(f.dataDir, f.vol), base: sha1(archivePaths(f.dataDir, f.vol).base), files: readdirSync(archivePaths(f.dataDir, f.vol).dir).sort() });

  beforeAll(async () => {
    const r = rng(7);
    f = await freshVolume({ size: 1 << 20, bulkSize: 4096 });
    for (let c = 0; c < 3; c++) randomChange(f.device, f.size, r);
    await fullBackup(f.dataDir, f.vol);
    for (let s = 0; s < 3; s++) {
      for (let c = 0; c < 3; c++) randomChange(f.device, f.size, r);
      writeAt(f.device, 8192 * (s + 1), Buffer.alloc(5000, 0x5a + s));
      await snapshot(f.dataDir, f.vol, { explicit: false });
    }
    // The second diff, with a data record: flip a byte inside that record's compressed data.
    const diffs = await listDiffs(f.dataDir, f.vol);
    victim = join(archivePaths(f.dataDir, f.vol).dir, diffs[1]!.file);
    const record = (await showWdiff(victim)).records.find((x) => x.dataSize > 2);
    expect(record).toBeDefined();
    offset = record!.dataOffset + 1;
    const bytes = readFileSync(victim);
    bytes[offset] ^= 0xff;
    writeFileSync(victim, bytes);
  });
  afterAll(async () => {
    await rm(f.dir, { recursive: true, force: true });
  });

  it('stops a restore with the file and byte offset and leaves no image and no change', async () => {
    const before = await snapshotOf();
    const path = join(f.dir, 'out.img');
    const error = await restore(f.dataDir, f.vol, 4, { path }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toContain(victim);
    expect((error as Error).message).toMatch(/byte \d+/);
    expect(readdirSync(f.dir).filter((n) => n.includes('out.img'))).toEqual([]);
    expect(await snapshotOf()).toEqual(before);
  });

  it('stops an apply before the base is touched', async () => {
    const before = await snapshotOf();
    const error = await applyUpTo(f.dataDir, f.vol, 4).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toContain(`${victim}: byte`);
    expect(await snapshotOf()).toEqual(before);
  });

  it('still restores the snapshots before the corrupt diff', async () => {
    const r = await restore(f.dataDir, f.vol, 2, { path: join(f.dir, 'ok.img') });
    expect(r.diffsApplied).toBe(1);
  });

  it('is reported by verify with the file and offset', async () => {
    const report = await verifyArchive(f.dataDir, f.vol);
    expect(report.ok).toBe(false);
    expect(report.problems.some((p) => p.startsWith(`${victim}: byte`))).toBe(true);
  });
});
