/**
 * File helpers for the archive's crash-safety: temp names that carry the writer's pid (so recovery
 * can tell an abandoned temp file from one being written), fsync, and moving a file into a
 * directory atomically (rename, or copy + fsync + rename across file systems).
 */
import { copyFile, open, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { fsyncDir, tempOwner, tempPathFor } from '../../../common/atomic-write.js';
import { pidAlive } from './lock.js';

/** `.tmp-<name>.<pid>.<8 hex>` beside `target`: the form atomic writes use, which recovery recognises (tempOwner). */
export const tempFor = tempPathFor;

export { tempOwner };

/**
 * Removes the temp files in `dir` (not below it) that a process no longer running made — what a
 * kill -9 between an atomic write's create and its rename leaves. Another process's temp file is
 * left alone; a missing folder has none. Returns how many went.
 */
export async function removeDeadTemps(dir: string): Promise<number> {
  let n = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const pid = tempOwner(name);
    if (pid === null || pidAlive(pid)) continue;
    await rm(join(dir, name), { force: true });
    n++;
  }
  return n;
}

export async function fsyncFile(path: string): Promise<void> {
  const h = await open(path, 'r+');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

/** Moves (or copies, when `copy`) `source` to `target` so that `target` appears whole or not at all. */
export async function installFile(source: string, target: string, opts: { copy?: boolean } = {}): Promise<void> {
  if (!opts.copy) {
    try {
      await rename(source, target);
      await fsyncDir(dirname(target));
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    }
  }
  const tmp = tempFor(target);
  try {
    await copyFile(source, tmp);
    await fsyncFile(tmp);
    await rename(tmp, target);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
  await fsyncDir(dirname(target));
  if (!opts.copy) await rm(source, { force: true });
}

export { fsyncDir };
