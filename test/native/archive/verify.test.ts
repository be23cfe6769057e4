/**
 * verify after an apply was killed midway: it names the half-done apply, the diffs it still needs
 * and the command that finishes it, and does not call those diffs unreachable leftovers.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { applyUpTo, archivePaths, listDiffs, verifyArchive } from '../../../native/lib/archive/index.js';
import { fullBackup, snapshot } from '../../../native/lib/storage/index.js';
import { freshVolume, randomChange, rng, type Fixture } from './_workload.js';

describe('archive verify after a killed apply', () => {
  let f: Fixture;
  beforeAll(async () => {
    const r = rng(3);
    f = await freshVolume({ size: 1 << 20, bulkSize: 4096 });
    randomChange(f.device, f.size, r);
    await fullBackup(f.dataDir, f.vol);
    for (let s = 0; s < 3; s++) {
      randomChange(f.device, f.size, r);
      await snapshot(f.dataDir, f.vol, { explicit: false });
    }
  });
  afterAll(async () => {
    await rm(f.dir, { recursive: true, force: true });
  });

  it('names the half-done apply, the diffs it still needs and the command that finishes it, not "already applied" diffs', async () => {
    const paths = archivePaths(f.dataDir, f.vol);
    const diffs = (await listDiffs(f.dataDir, f.vol)).filter((d) => d.e.b <= 3);
    expect(diffs.length).toBe(2);
    // The state an apply leaves when killed after "apply begin": base <1-->3>, the diffs listed.
    const meta = JSON.parse(readFileSync(paths.meta, 'utf8'));
    meta.base = { b: meta.base.b, e: { b: 3, e: 3 } };
    meta.applying = diffs.map((d) => d.file);
    writeFileSync(paths.meta, JSON.stringify(meta));
    const v = await verifyArchive(f.dataDir, f.vol);
    const text = v.problems.join('\n');
    expect(text).toContain(`an apply to gid 3 was interrupted and still needs 2 diff(s) (${diffs.map((d) => d.file).join(', ')})`);
    expect(text).toContain(`"walbctl archive apply v 3" or any other archive command on v (the daemon's next pass runs one) finishes it`);
    expect(text).not.toMatch(/not reachable|already applied/);
    expect(v.problems).toHaveLength(1);
    // And that command does finish it.
    await applyUpTo(f.dataDir, f.vol, 3);
    expect((await verifyArchive(f.dataDir, f.vol)).problems).toEqual([]);
  });
});
