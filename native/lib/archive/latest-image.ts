/**
 * The archive's newest image, for a hash backup: the base itself when no diff follows it, else a
 * temporary restore (reflink where possible) of the newest snapshot, removed afterwards. WalB's
 * archive hashes this image bulk by bulk and the storage sends only the bulks that differ.
 */
import { rm } from 'node:fs/promises';

import { copyImage } from './addon.js';
import { latestSnap } from './chain.js';
import { formats } from './formats.js';
import type { GidSnap } from './gid.js';
import { tempFor } from './files.js';
import { phaseReporter, type OnProgress } from './progress.js';
import { ensureRecovered } from './recover.js';
import { asAction, listDiffFiles } from './volume.js';
import { openDiffs } from './restore-build.js';
import { mapAddonError } from './wdiff-errors.js';

export interface LatestImage {
  /** The snapshot the image is at (possibly dirty, e.g. right after a full backup). */
  snap: GidSnap;
  path: string;
  deviceUuid: string | null;
  sizeBytes: number | null;
}

/** Runs `use` with the newest image of the archive; the image is valid only during the call. */
export async function latestImage<T>(dataDir: string, vol: string, opts: { use: (image: LatestImage) => Promise<T>; onProgress?: OnProgress }): Promise<T> {
  await ensureRecovered(dataDir, vol);
  return asAction(dataDir, vol, {
    op: 'hash-backup',
    run: async (h) => {
      const start = h.meta.base.e ?? h.meta.base.b;
      // Held open from here: a merge running beside (it does not exclude a hash backup) cannot pull them away.
      const latest = await openDiffs(async () => {
        const l = latestSnap(start, await listDiffFiles(h.paths));
        return { diffs: l.path, snap: l.snap };
      });
      const info = { snap: latest.snap, deviceUuid: h.meta.deviceUuid, sizeBytes: h.meta.sizeBytes };
      const tmp = tempFor(`${h.paths.dir}/latest.img`);
      try {
        if (latest.diffs.length === 0) return await opts.use({ ...info, path: h.paths.base });
        await copyImage({ source: h.paths.base, target: tmp, mode: 'auto', sync: false }, phaseReporter(opts.onProgress, 'copy'));
        await (await formats()).applyDiffs([...latest.names.keys()], tmp, { discard: 'punch' });
        return await opts.use({ ...info, path: tmp });
      } catch (error) {
        throw mapAddonError(error, latest.names);
      } finally {
        await latest.close();
        await rm(tmp, { force: true });
      }
    },
  });
}
