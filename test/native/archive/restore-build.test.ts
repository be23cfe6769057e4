/**
 * A manual restore racing a merge on the same archive (WalB lets them run together): the merge
 * renames its output in and deletes its inputs while the restore lists and opens the chain. Each
 * trial starts both at once, the restore after a random delay of 0-7 ms so the race lands in every
 * window; no trial may fail (ENOENT was the symptom) and every image must equal the source.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { deleteRestored, merge, observeArchive, restore } from '../../../native/lib/archive/index.js';
import { fullBackup, snapshot } from '../../../native/lib/storage/index.js';
import { freshVolume, randomChange, rng, sha1, type Fixture } from './_workload.js';

const TRIALS = 12;
const DIFFS_PER_TRIAL = 3;

describe('a restore racing a merge', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await freshVolume({ size: 1 << 20, bulkSize: 4096 });
    await fullBackup(f.dataDir, f.vol);
  });
  afterAll(async () => {
    await rm(f.dir, { recursive: true, force: true });
  });

  it(`never fails and always restores the source's content (${TRIALS} trials)`, { timeout: 120_000 }, async () => {
    const r = rng(1508);
    const counts = { trials: 0, merged: 0, restored: 0, failures: [] as string[] };
    for (let t = 0; t < TRIALS; t++) {
      // Implicit snapshots make mergeable diffs; one explicit snapshot at the end is the one restored.
      const from = (await observeArchive(f.dataDir, f.vol))!.restorable.at(-1)?.gid ?? 0;
      for (let i = 0; i < DIFFS_PER_TRIAL; i++) {
        for (let k = 0; k < 4; k++) randomChange(f.device, f.size, r);
        await snapshot(f.dataDir, f.vol, { explicit: false });
      }
      for (let k = 0; k < 4; k++) randomChange(f.device, f.size, r);
      const { gid } = await snapshot(f.dataDir, f.vol, { explicit: true });
      const want = sha1(f.device);
      const out = join(f.dir, `r${t}.img`);
      const delay = r.int(0, 7);
      counts.trials++;
      const [m, x] = await Promise.allSettled([
        merge(f.dataDir, f.vol, { gidB: from, gidE: gid }),
        new Promise((w) => setTimeout(w, delay)).then(() => restore(f.dataDir, f.vol, gid, { path: out, mode: 'copy' })),
      ]);
      if (m.status === 'fulfilled') counts.merged++;
      else counts.failures.push(`trial ${t} merge: ${(m.reason as Error).message}`);
      if (x.status === 'fulfilled') {
        counts.restored++;
        if (sha1(out) !== want) counts.failures.push(`trial ${t}: gid ${gid} restored with another content`);
        await deleteRestored(f.dataDir, f.vol, gid, { path: out });
      } else counts.failures.push(`trial ${t} restore (after ${delay} ms): ${(x.reason as Error).message}`);
    }
    expect(counts.failures).toEqual([]);
    expect(counts).toMatchObject({ trials: TRIALS, merged: TRIALS, restored: TRIALS });
  });
});
