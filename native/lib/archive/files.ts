/**
 * File helpers for the archive's crash-safety: temp names that carry the writer's pid (so recovery
 * can tell an abandoned temp file from one being written), fsync, and moving a file into a
 * directory atomically (rename, or copy + fsync + rename across file systems).
 */
import { randomBytes } from 'node:crypto';
import { copyFile, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

import { fsyncDir } from '../../../common/atomic-write.js';

const TEMP = /^\.tmp-.*\.(\d+)\.[0-9a-f]{8}$/;

/** `.tmp-<name>.<pid>.<random>` beside `target` (the same form atomic-write.ts uses). */
export function tempFor(target: string): string {
  return join(dirname(target), `.tmp-${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}`);
}

/** The pid that wrote a temp file, or null when `name` is not a temp name. */
export function tempOwner(name: string): number | null {
  const m = TEMP.exec(name);
  return m ? Number(m[1]) : null;
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
