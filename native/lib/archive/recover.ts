/**
 * Recovery of interrupted actions (design.md): a merge whose output landed loses its inputs, one
 * whose output did not is forgotten; an apply (`<B-->E>`) is finished by applying the same diffs
 * again; a restore's temporary image is removed; temp files of dead writers and diffs already
 * folded into the base are deleted. Runs as an exclusive action, only when something needs it.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { pidAlive } from './lock.js';
import type { ArchiveMeta } from './meta.js';
import { finishApply } from './apply-core.js';
import { removeDeadTemps, tempOwner, fsyncDir } from './files.js';
import { asAction, listDiffFiles, liveActions, readStateOrClear, updateMeta } from './volume.js';
import { archivePaths } from './layout.js';
import { parseDiffName } from './diff-name.js';

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * Whether a restore entry belongs to a restore still running: another process's while it lives; this
 * process's while it runs a restore (an entry its own abort could not take out — the metadata was
 * locked past the timeout or the disk full — would otherwise stay until the daemon restarts).
 */
function restoreLive(meta: ArchiveMeta, r: ArchiveMeta['restoring'][number]): boolean {
  if (r.pid !== process.pid) return pidAlive(r.pid);
  return liveActions(meta).some((a) => a.name === 'restore' && a.pid === process.pid);
}

function needsRecovery(meta: ArchiveMeta, names: string[]): boolean {
  const live = liveActions(meta).map((a) => a.name);
  if (meta.applying && !live.includes('apply')) return true;
  if (meta.merging && !live.includes('merge')) return true;
  if (meta.restoring.some((r) => !restoreLive(meta, r))) return true;
  if (names.some((n) => hasStaleDiff(meta, n))) return true;
  return names.some((n) => {
    const pid = tempOwner(n);
    return pid !== null && !pidAlive(pid);
  });
}

/** A diff that ends at or before a clean base: an apply committed, then died before deleting it. */
function hasStaleDiff(meta: ArchiveMeta, name: string): boolean {
  if (meta.base.e || meta.applying) return false;
  const d = parseDiffName(name);
  return d !== null && d.e.b <= meta.base.b.b;
}

/** Finishes or rolls back whatever a dead process left half done on the volume. */
export async function ensureRecovered(dataDir: string, vol: string): Promise<boolean> {
  const paths = archivePaths(dataDir, vol);
  const { meta } = await readStateOrClear(paths);
  if (!meta) return false;
  const names = await readdir(paths.dir);
  if (!needsRecovery(meta, names)) return false;
  await asAction(dataDir, vol, {
    op: 'recover',
    run: async (h) => {
      const m = h.meta;
      if (m.merging) {
        const { output, inputs } = m.merging;
        const landed = await exists(join(paths.dir, output));
        if (landed) for (const f of inputs) await rm(join(paths.dir, f), { force: true });
        await fsyncDir(paths.dir);
        await updateMeta(paths, (x) => void (x.merging = null), { volume: vol, operation: 'recover merge' });
      }
      if (m.applying) await finishApply(h.paths, vol, {});
      // A dead restore whose temp file is gone but whose target exists got as far as its rename:
      // it is complete, so it is listed; any other dead restore is rolled back.
      const done: ArchiveMeta['restoring'] = [];
      for (const r of m.restoring) {
        if (restoreLive(m, r)) continue;
        const tmpGone = !(await exists(r.tmp));
        if (tmpGone && (await exists(r.path))) done.push(r);
        else await rm(r.tmp, { force: true });
      }
      await updateMeta(
        paths,
        (x) => {
          x.restoring = x.restoring.filter((r) => restoreLive(x, r));
          for (const r of done) {
            x.restored = x.restored.filter((y) => y.path !== r.path);
            x.restored.push({ gid: r.gid, path: r.path, createdAt: new Date().toISOString(), verified: null });
          }
        },
        { volume: vol, operation: 'recover restore' },
      );
      await removeDeadTemps(paths.dir);
      await removeStaleDiffs(dataDir, vol);
    },
  });
  return true;
}

/** Deletes diffs that end at or before a clean base (left by an apply that crashed after its commit). */
export async function removeStaleDiffs(dataDir: string, vol: string): Promise<number> {
  const paths = archivePaths(dataDir, vol);
  const { meta } = await readStateOrClear(paths);
  if (!meta || meta.base.e || meta.applying) return 0;
  let n = 0;
  for (const d of await listDiffFiles(paths)) {
    if (d.e.b <= meta.base.b.b) {
      await rm(d.path, { force: true });
      n++;
    }
  }
  if (n > 0) await fsyncDir(paths.dir);
  return n;
}
