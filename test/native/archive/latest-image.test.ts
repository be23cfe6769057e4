/**
 * The archive's newest image (what a hash backup hashes) while a merge runs beside it (merge and
 * hash backup do not exclude each other): each trial starts both at once, the image after a random
 * delay of 0-7 ms; no trial may fail (ENOENT was the symptom) and the image must equal the source.
 */
import { rm } from 'node:fs/promises';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { latestImage, merge, observeArchive } from '../../../native/lib/archive/index.js';
import { fullBackup, snapshot } from '../../../native/lib/storage/index.js';
import { freshVolume, randomChange, rng, sha1, type Fixture } from './_workload.js';

const TRIALS = 12;

describe('the newest image beside a merge', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await freshVolume({ size: 1 << 20, bulkSize: 4096 });
    await fullBackup(f.dataDir, f.vol);
  });
  afterAll(async () => {
    await rm(f.dir, { recursive: true, force: true });
  });

  it(`never fails and always holds the newest snapshot's content (${TRIALS} trials)`, { timeout: 120_000 }, async () => {
    const r = rng(1509);
    const counts = { trials: 0, merged: 0, images: 0, failures: [] as string[] };
    for (let t = 0; t < TRIALS; t++) {
      const from = (await observeArchive(f.dataDir, f.vol))!.restorable.at(-1)?.gid ?? 0;
      let gid = from;
      for (let i = 0; i < 4; i++) {
        for (let k = 0; k < 4; k++) randomChange(f.device, f.size, r);
        ({ gid } = await snapshot(f.dataDir, f.vol, { explicit: i === 3 }));
      }
      const want = sha1(f.device);
      const delay = r.int(0, 7);
      counts.trials++;
      const [m, x] = await Promise.allSettled([
        merge(f.dataDir, f.vol, { gidB: from, gidE: gid }),
        new Promise((w) => setTimeout(w, delay)).then(() => latestImage(f.dataDir, f.vol, { use: async (img) => ({ snap: img.snap, sha: sha1(img.path) }) })),
      ]);
      if (m.status === 'fulfilled') counts.merged++;
      else counts.failures.push(`trial ${t} merge: ${(m.reason as Error).message}`);
      if (x.status === 'fulfilled') {
        counts.images++;
        if (x.value.sha !== want || x.value.snap.b !== gid) counts.failures.push(`trial ${t}: the image is at |${x.value.snap.b},${x.value.snap.e}| with another content`);
      } else counts.failures.push(`trial ${t} image (after ${delay} ms): ${(x.reason as Error).message}`);
    }
    expect(counts.failures).toEqual([]);
    expect(counts).toMatchObject({ trials: TRIALS, merged: TRIALS, images: TRIALS });
  });
});
