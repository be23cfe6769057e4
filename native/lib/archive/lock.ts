/**
 * A short-held lock file per volume. It guards read-modify-write of the metadata and the
 * registration of running actions; it is never held across a long operation. Holding it means
 * holding an flock(2) on the file at its name: the kernel drops the flock when the holder dies
 * (kill -9 included), so a lock is never stale and there is no takeover to race. The holder writes
 * its pid and operation into the file for the messages of those who wait, and unlinks the file
 * before it lets go; a waiter that got the flock on an unlinked file (its inode is no longer the
 * name's) tries again.
 */
import { open, rm, stat, type FileHandle } from 'node:fs/promises';
import { hostname } from 'node:os';

import { tryFlock, unflock } from '../flock.js';
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

/** Holds the flock on the file now at `path`, or returns null (held by another, or replaced). */
async function tryTake(path: string): Promise<FileHandle | null> {
  const handle = await open(path, 'a+', 0o644);
  let ok = false;
  try {
    if (!tryFlock(handle.fd)) return null;
    const [mine, named] = [await handle.stat(), await stat(path).catch(() => null)];
    ok = named !== null && named.ino === mine.ino && named.dev === mine.dev;
    if (!ok) unflock(handle.fd);
    return ok ? handle : null;
  } finally {
    if (!ok) await handle.close();
  }
}

async function holderOf(path: string): Promise<LockHolder | null> {
  try {
    const handle = await open(path, 'r');
    try {
      return JSON.parse(await handle.readFile('utf8')) as LockHolder;
    } finally {
      await handle.close();
    }
  } catch {
    return null; // gone, or its holder is writing it right now
  }
}

/** Runs `fn` holding the lock at `path`; waits up to `timeoutMs` for another holder. */
export async function withLock<T>(path: string, fn: () => Promise<T>, opts: { volume: string; operation: string; timeoutMs?: number }): Promise<T> {
  const holder: LockHolder = { pid: process.pid, host: hostname(), since: new Date().toISOString(), operation: opts.operation };
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let handle: FileHandle | null;
  let wait = 1;
  while (!(handle = await tryTake(path))) {
    if (Date.now() > deadline) {
      const other = await holderOf(path);
      throw new BusyError(opts.volume, opts.operation, `the metadata lock (${other?.operation ?? 'unknown'})`, other?.pid ?? 0);
    }
    await new Promise((r) => setTimeout(r, wait));
    wait = Math.min(wait * 2, 10);
  }
  try {
    await handle.truncate(0);
    await handle.write(JSON.stringify(holder), 0);
    return await fn();
  } finally {
    await rm(path, { force: true });
    unflock(handle.fd);
    await handle.close();
  }
}
