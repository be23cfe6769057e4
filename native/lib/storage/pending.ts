/**
 * Roll-forward of a storage operation interrupted after its commit point (design.md): the scan has
 * written the diff and the new hash index (fsynced) and `pending` names them; what is left is to
 * hand the diff to the archive (idempotent), install the index and advance the gid. Before the
 * commit point nothing is recorded, and the temp files of the dead writer are simply removed.
 */
import { rename, rm, stat } from 'node:fs/promises';

import { StateError } from '../../../common/errors.js';
import { ChainRelationError } from '../archive/errors.js';
import { fsyncDir, removeDeadTemps } from '../archive/files.js';
import type { OnProgress } from '../archive/progress.js';
import { targetFor, type ArchiveTarget } from './archive-target.js';
import type { StorageOp } from './volume.js';

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** The archive (local, or remote: remote-archive.ts maps the reject) refused a compared diff because its image moved past the one that was hashed. */
function baseMoved(e: unknown): boolean {
  return e instanceof ChainRelationError && e.relation === 'base-moved';
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
      try {
        await target!.addDiff(o.meta.volume, { source: p.diffTmp, diff: p.diff, explicitEnd: p.explicit });
      } catch (error) {
        if (p.op !== 'hash-backup' || !baseMoved(error)) throw error;
        // The archive took another source's diffs after it hashed its image (a replication still
        // running into a new primary): this diff applies only to the image it was made against, so
        // it is thrown away with its index, nothing advances, and the next hash backup starts from
        // the archive's newest image.
        await rm(p.diffTmp, { force: true });
        await rm(p.indexTmp, { force: true });
        o.meta.pending = null;
        await o.save();
        const vol = o.meta.volume;
        const why = (error as Error).message.startsWith(`${vol}: `) ? (error as Error).message.slice(vol.length + 2) : (error as Error).message;
        throw new StateError(`${vol}: the hash backup's diff was refused: ${why}; it is dropped, and the next hash backup hashes the archive's newest image`, { retryable: true });
      }
    }
    if (await exists(p.indexTmp)) await rename(p.indexTmp, o.paths.index);
    Object.assign(o.meta, { state: 'Target', latestGid: p.gid, indexSnap: p.diff.e, indexExplicit: p.explicit });
    finished = `${p.op} of gid ${p.gid}`;
  }
  if (p) {
    o.meta.pending = null;
    await o.save();
  }
  await removeDeadTemps(o.paths.dir);
  await fsyncDir(o.paths.dir);
  return finished;
}
