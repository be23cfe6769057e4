/**
 * apply VOL GID: fold the diffs up to a clean gid into the base image (WalB's apply), crash-safe
 * through the `<B-->E>` state. Every diff is verified first, so a corrupt one stops the apply before
 * the base is touched.
 */
import { stat } from 'node:fs/promises';

import { latestSnap, pathTo, restorableSnaps } from './chain.js';
import { GidError, RangeRefusedError } from './errors.js';
import { finishApply, verifyDiffs } from './apply-core.js';
import { sameSnap } from './gid.js';
import { readArchiveMeta } from './meta.js';
import { since, type OnProgress } from './progress.js';
import { ensureRecovered } from './recover.js';
import { archivePaths } from './layout.js';
import { asAction, listDiffFiles, readStateOrClear, updateMeta } from './volume.js';

export interface ApplyResult {
  /** The base's gid after the apply. */
  gid: number;
  diffsApplied: number;
  bytes: number;
  seconds: number;
  /** True when an interrupted apply was finished first. */
  finishedInterrupted: boolean;
}

export async function applyUpTo(dataDir: string, vol: string, gid: number, opts: { onProgress?: OnProgress } = {}): Promise<ApplyResult> {
  const t0 = process.hrtime.bigint();
  const interrupted = Boolean((await readStateOrClear(archivePaths(dataDir, vol))).meta?.applying);
  await ensureRecovered(dataDir, vol);
  return asAction(dataDir, vol, {
    op: 'apply',
    run: async (h) => {
      const finishedInterrupted = (await finishApply(h.paths, vol, opts)) > 0 || interrupted;
      const base = (await readArchiveMeta(h.paths.meta)).base.b;
      if (sameSnap(base, { b: gid, e: gid })) return { gid, diffsApplied: 0, bytes: 0, seconds: since(t0), finishedInterrupted };
      const diffs = await listDiffFiles(h.paths);
      const path = pathTo(base, diffs, gid);
      if (!path) {
        const latest = latestSnap(base, diffs).snap;
        if (gid > latest.b) throw new RangeRefusedError(vol, `cannot apply past the newest gid ${latest.b} (asked for ${gid})`);
        if (gid < base.b) throw new RangeRefusedError(vol, `gid ${gid} is older than the base <${base.b}>: it was applied already`);
        const ok = restorableSnaps(base, diffs).map((r) => r.snap.b);
        throw new GidError(vol, `gid ${gid} is not a clean snapshot reachable from the base; apply to one of: ${ok.join(', ') || 'none'}`);
      }
      await verifyDiffs(
        path.map((d) => d.path),
        opts,
      );
      let bytes = 0;
      for (const d of path) bytes += (await stat(d.path)).size;
      await updateMeta(
        h.paths,
        (m) => {
          m.base = { b: base, e: { b: gid, e: gid } };
          m.applying = path.map((d) => d.file);
        },
        { volume: vol, operation: 'apply begin' },
      );
      const n = await finishApply(h.paths, vol, opts);
      return { gid, diffsApplied: n, bytes, seconds: since(t0), finishedInterrupted };
    },
  });
}
