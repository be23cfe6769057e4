/**
 * A short-held lock file per volume (`O_EXCL` create). It guards read-modify-write of the metadata
 * and the registration of running actions; it is never held across a long operation. A lock left by
 * a process that died (kill -9) is taken over.
 */
import { randomBytes } from 'node:crypto';
import { link, open, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';

import { BusyError } from './errors.js';

export interface LockHolder {
  pid: number;
  host: string;
  since: string;
  operation: string;
}

export function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The lock appears with its holder already written: a temp file is hard-linked to the lock's name. */
async function tryTake(path: string, holder: LockHolder): Promise<boolean> {
  // A `.tmp-` name with the pid: recovery removes it if this process dies before the link.
  const tmp = join(dirname(path), `.tmp-${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}`);
  const handle = await open(tmp, 'wx', 0o644);
  try {
    await handle.writeFile(JSON.stringify(holder));
  } finally {
    await handle.close();
  }
  try {
    await link(tmp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await rm(tmp, { force: true });
  }
}

async function holderOf(path: string): Promise<LockHolder | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as LockHolder;
  } catch {
    return null;
  }
}

/** Runs `fn` holding the lock at `path`; waits up to `timeoutMs` for another holder. */
export async function withLock<T>(path: string, fn: () => Promise<T>, opts: { volume: string; operation: string; timeoutMs?: number }): Promise<T> {
  const holder: LockHolder = { pid: process.pid, host: hostname(), since: new Date().toISOString(), operation: opts.operation };
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let emptySince: number | null = null;
  for (;;) {
    if (await tryTake(path, holder)) break;
    const other = await holderOf(path);
    if (other && other.host === holder.host && !pidAlive(other.pid)) {
      await rm(path, { force: true });
      continue;
    }
    // A holder that died between create and write leaves an empty file: take it over after a while.
    if (!other) {
      emptySince ??= Date.now();
      if (Date.now() - emptySince > 2000) await rm(path, { force: true });
    }
    if (Date.now() > deadline) throw new BusyError(opts.volume, opts.operation, `the metadata lock (${other?.operation ?? 'unknown'})`, other?.pid ?? 0);
    await new Promise((r) => setTimeout(r, 10));
  }
  try {
    return await fn();
  } finally {
    await rm(path, { force: true });
  }
}
