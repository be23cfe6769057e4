/**
 * restore VOL GID: makes the image of a clean restorable snapshot as a file: a reflink clone of the
 * base (FICLONE) where the file system supports it, a sparse copy otherwise, then the diff chain
 * applied. The image is written at a temporary name beside the target and renamed when complete;
 * the metadata lists it only then. The chain and the image are restore-build.ts's: diffs held open
 * from the start, and the list taken again when a merge running beside the restore (WalB allows it)
 * deleted a listed diff before it was opened.
 */
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

import { writeImage } from './addon.js';
import { checkOverwriteTarget, restoreTarget } from './overwrite-target.js';
import { GidError } from './errors.js';
import { fsyncDir, tempFor } from './files.js';
import { defaultRestorePath } from './layout.js';
import { phaseReporter, since, type OnProgress } from './progress.js';
import { ensureRecovered } from './recover.js';
import { buildImage, restoreChain, type BuiltImage } from './restore-build.js';
import { asAction, updateMeta } from './volume.js';
import { mapAddonError } from './wdiff-errors.js';

export interface RestoreOptions {
  /** Where the image goes; `<dataDir>/archive/<vol>/restored/wr_<vol>_<gid>.img` by default. */
  path?: string;
  /** `auto` (reflink where possible), `reflink` (fail without it) or `copy`. */
  mode?: 'auto' | 'reflink' | 'copy';
  /** Write over an existing file or block device (never a mounted or held one, nor the volume's own capture device). */
  overwrite?: boolean;
  onProgress?: OnProgress;
}

export interface RestoreResult {
  gid: number;
  path: string;
  method: 'reflink' | 'copy';
  diffsApplied: number;
  /** Bytes written: copied base data plus the diff files read. */
  bytes: number;
  seconds: number;
  /** True when this gid was restored at this path already (nothing was done). */
  existed: boolean;
  /** Set when the image was written over an existing file or block device (--overwrite). */
  overwrote?: 'file' | 'block';
}

export async function restore(dataDir: string, vol: string, gid: number, opts: RestoreOptions = {}): Promise<RestoreResult> {
  const t0 = process.hrtime.bigint();
  const target = resolve(opts.path ?? defaultRestorePath(dataDir, vol, gid));
  await ensureRecovered(dataDir, vol);
  return asAction(dataDir, vol, {
    op: 'restore',
    run: async (h) => {
      if (h.meta.restored.some((r) => r.gid === gid && r.path === target)) {
        return { gid, path: target, method: 'copy', diffsApplied: 0, bytes: 0, seconds: since(t0), existed: true };
      }
      // A gid that is not restorable is refused before anything is looked at or written.
      await restoreChain(h, vol, gid);
      // Over an existing file or device: the image is built and verified beside the archive first,
      // and written over the target only when whole; the archive does not list it as its own.
      const over = await restoreTarget(dataDir, vol, target, h.meta.sizeBytes ?? 0, opts.overwrite === true);
      const tmp = tempFor(over ? defaultRestorePath(dataDir, vol, gid) : target);
      await mkdir(dirname(tmp), { recursive: true });
      await updateMeta(h.paths, (m) => void m.restoring.push({ gid, path: over ? tmp : target, tmp, pid: process.pid }), { volume: vol, operation: 'restore begin' });
      let built: BuiltImage;
      try {
        built = await buildImage(h, vol, gid, tmp, { ...(opts.mode ? { mode: opts.mode } : {}), ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) });
        if (over) {
          await checkOverwriteTarget(dataDir, vol, target, h.meta.sizeBytes ?? 0);
          await writeImage({ source: tmp, target }, phaseReporter(opts.onProgress, 'write'));
          await rm(tmp, { force: true });
        } else {
          await rename(tmp, target);
          await fsyncDir(dirname(target));
        }
      } catch (error) {
        await rm(tmp, { force: true });
        await updateMeta(h.paths, (m) => void (m.restoring = m.restoring.filter((r) => r.tmp !== tmp)), { volume: vol, operation: 'restore abort' }).catch(() => {});
        throw mapAddonError(error);
      }
      const { method, bytes, diffsApplied } = built;
      if (over) {
        await updateMeta(h.paths, (m) => void (m.restoring = m.restoring.filter((r) => r.tmp !== tmp)), { volume: vol, operation: 'restore commit' });
        return { gid, path: target, method, diffsApplied, bytes, seconds: since(t0), existed: false, overwrote: over.kind };
      }
      await updateMeta(
        h.paths,
        (m) => {
          m.restoring = m.restoring.filter((r) => r.tmp !== tmp);
          m.restored = m.restored.filter((r) => r.path !== target);
          m.restored.push({ gid, path: target, createdAt: new Date().toISOString(), verified: null });
        },
        { volume: vol, operation: 'restore commit' },
      );
      return { gid, path: target, method, diffsApplied, bytes, seconds: since(t0), existed: false };
    },
  });
}

/** Deletes a restored image (all of the gid's, or the one at `path`). */
export async function deleteRestored(dataDir: string, vol: string, gid: number, opts: { path?: string } = {}): Promise<string[]> {
  await ensureRecovered(dataDir, vol);
  return asAction(dataDir, vol, {
    op: 'del-restored',
    run: async (h) => {
      const want = opts.path ? resolve(opts.path) : null;
      const hit = h.meta.restored.filter((r) => r.gid === gid && (want === null || r.path === want));
      if (hit.length === 0) {
        const have = h.meta.restored.map((r) => r.gid);
        throw new GidError(vol, `gid ${gid} is not restored${want ? ` at ${want}` : ''}; restored gids: ${have.join(', ') || 'none'}`);
      }
      // The list forgets the image first: a crash then leaves a stray file, never an entry without one.
      await updateMeta(h.paths, (m) => void (m.restored = m.restored.filter((r) => !hit.some((x) => x.path === r.path))), { volume: vol, operation: 'del-restored' });
      for (const r of hit) {
        await rm(r.path, { force: true });
        await fsyncDir(dirname(r.path)).catch(() => {});
      }
      return hit.map((r) => r.path);
    },
  });
}
