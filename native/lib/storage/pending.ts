/**
 * Roll-forward of a storage operation interrupted after its commit point (design.md): the scan has
 * written the diff and the new hash index (fsynced) and `pending` names them; what is left is to
 * hand the diff to the archive (idempotent), install the index and advance the gid. Before the
 * commit point nothing is recorded, and the temp files of the dead writer are simply removed.
 */
import { readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { fsyncDir, tempOwner } from '../archive/files.js';
import { pidAlive } from '../archive/lock.js';
import type { OnProgress } from '../archive/progress.js';
import { targetFor, type ArchiveTarget } from './archive-target.js';
import type { StorageOp } from './volume.js';

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Completes the pending step of `o` if there is one; returns what it finished. */
export async function recoverPending(o: StorageOp, opts: { onProgress?: OnProgress; archive?: ArchiveTarget }): Promise<string | null> {
  const p = o.meta.pending;
  let finished: string | null = null;
  const target = p ? targetFor(p.archiveDataDir, opts.archive) : null;
  // A transfer to a remote archive this caller cannot reach waits, files and all, for one that can.
  if (p && !target) return null;
  if (p?.op === 'full-backup') {
    if ((await target!.fullBackupId(o.meta.volume)) === p.id) {
      // The base landed: install the index (unless a previous recovery did) and move on.
      if (await exists(p.indexTmp)) await rename(p.indexTmp, o.paths.index);
      Object.assign(o.meta, { state: 'Target', latestGid: p.snap.e, indexSnap: p.snap, indexExplicit: false, fullBackupId: p.id });
      finished = `full backup ${p.id}`;
    } else {
      await rm(p.indexTmp, { force: true });
    }
  } else if (p && (p.op === 'snapshot' || p.op === 'hash-backup')) {
    if (await exists(p.diffTmp)) {
      await target!.addDiff(o.meta.volume, { source: p.diffTmp, diff: p.diff, explicitEnd: p.explicit });
    }
    if (await exists(p.indexTmp)) await rename(p.indexTmp, o.paths.index);
    Object.assign(o.meta, { state: 'Target', latestGid: p.gid, indexSnap: p.diff.e, indexExplicit: p.explicit });
    finished = `${p.op} of gid ${p.gid}`;
  }
  if (p) {
    o.meta.pending = null;
    await o.save();
  }
  for (const n of await readdir(o.paths.dir)) {
    const pid = tempOwner(n);
    if (pid !== null && !pidAlive(pid)) await rm(join(o.paths.dir, n), { force: true });
  }
  await fsyncDir(o.paths.dir);
  return finished;
}
