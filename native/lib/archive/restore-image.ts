/**
 * A restore for someone else: the image of a clean restorable gid, built and checked exactly as a
 * local restore builds it (restore-build.ts), at a temporary name in the archive's directory, handed
 * to `use` (the wire streams it to the host that asked) and removed afterwards. The archive does not
 * list it as a restored image. The `restore` action is held only while the image is built, so a long
 * transfer does not keep applies and replications waiting; a process that dies leaves a temp file
 * that the next recovery removes (its pid is in the name).
 *
 * The same gid always gives the same bytes, so a transfer that was cut and asks again gets an image
 * whose checkpoints match what the receiver already holds, and resumes.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';

import { WrongStateError } from './errors.js';
import { tempFor } from './files.js';
import { archivePaths } from './layout.js';
import { type OnProgress } from './progress.js';
import { ensureRecovered } from './recover.js';
import { buildImage, restoreChain } from './restore-build.js';
import { ALLOWED_STATES } from './rules.js';
import { asAction, readStateOrClear } from './volume.js';

export interface RestoreImage {
  gid: number;
  path: string;
  sizeBytes: number;
  diffsApplied: number;
  method: 'reflink' | 'copy';
}

/**
 * Checks, without building anything or registering an action, that `gid` of `vol` can be restored
 * here now; returns the image's size. Throws WrongStateError or GidError (with the restorable gids).
 */
export async function restorableImageSize(dataDir: string, vol: string, gid: number): Promise<number> {
  const paths = archivePaths(dataDir, vol);
  const { state, meta } = await readStateOrClear(paths);
  if (!meta || !ALLOWED_STATES.restore.includes(state)) throw new WrongStateError(vol, 'restore', state, ALLOWED_STATES.restore);
  await restoreChain({ paths, meta }, vol, gid);
  return meta.sizeBytes ?? 0;
}

/** Builds the image of `gid`, runs `use` with it, and removes it whatever happens. */
export async function withRestoreImage<T>(dataDir: string, vol: string, gid: number, o: { use: (image: RestoreImage) => Promise<T>; onProgress?: OnProgress }): Promise<T> {
  await ensureRecovered(dataDir, vol);
  const tmp = tempFor(join(archivePaths(dataDir, vol).dir, `restore-${gid}.img`));
  try {
    const image = await asAction(dataDir, vol, {
      op: 'restore',
      run: async (h) => {
        const built = await buildImage(h, vol, gid, tmp, { mode: 'auto', ...(o.onProgress ? { onProgress: o.onProgress } : {}) });
        return { gid, path: tmp, sizeBytes: h.meta.sizeBytes ?? 0, diffsApplied: built.diffsApplied, method: built.method };
      },
    });
    return await o.use(image);
  } finally {
    await rm(tmp, { force: true });
  }
}
