/**
 * One lock per host: a file in the data directory naming its holder (id, operation, who, pid,
 * since). A lock whose pid is dead on this machine is stale and taken over; any other lock is
 * refused with a message naming the holder, and `walbctl unlock ID` removes it. Every read-decide-
 * write of the lock happens under a guard (an flock on `lock.guard`, which the kernel drops when its
 * holder dies), and the lock appears whole (written at a temp name, renamed into place): no process
 * ever reads a half-written lock, and no takeover removes a lock another process has just taken.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';

import { fsyncDir, tempPathFor } from '../../common/atomic-write.js';
import { withGuard } from '../../native/lib/flock.js';
import { HostLockedError, LockMismatchError, type LockInfo } from './errors.js';
import { statePaths } from './state-paths.js';

export interface HostLock {
  info: LockInfo;
  /** Set when a stale lock (dead pid) was taken over to get this one. */
  tookOverFrom: LockInfo | null;
  release(): Promise<void>;
}

export async function readLock(dataDir: string): Promise<LockInfo | null> {
  try {
    return JSON.parse(await readFile(statePaths(dataDir).lock, 'utf8')) as LockInfo;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    if (error instanceof SyntaxError) return null; // a torn write of the lock itself: nobody holds it usefully
    throw error;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function whoAmI(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry: keep "unknown"
  }
  return `${user}@${hostname()}`;
}

/** Is this lock held by a process that no longer exists (on this machine)? */
export function isStale(info: LockInfo): boolean {
  return info.machine === hostname() && info.pid !== process.pid && !isAlive(info.pid);
}

export async function acquireHostLock(dataDir: string, options: { host: string; operation: string; now?: () => Date }): Promise<HostLock> {
  const paths = statePaths(dataDir);
  await mkdir(paths.dir, { recursive: true });
  const info: LockInfo = {
    id: randomUUID(),
    operation: options.operation,
    who: whoAmI(),
    pid: process.pid,
    machine: hostname(),
    since: (options.now ?? (() => new Date()))().toISOString(),
  };
  return withGuard(guardPath(dataDir), async () => {
    const holder = await readLock(dataDir);
    if (holder && !isStale(holder)) throw new HostLockedError(options.host, holder);
    // Not fsynced: after a power loss no process holds the lock anyway, and a lock file that
    // survives one names a pid that is gone (stale, taken over).
    const tmp = tempPathFor(paths.lock);
    await writeFile(tmp, JSON.stringify(info, null, 2) + '\n', { flag: 'wx', mode: 0o644 });
    await rename(tmp, paths.lock);
    return { info, tookOverFrom: holder, release: () => releaseLock(dataDir, info.id) };
  });
}

function guardPath(dataDir: string): string {
  return `${statePaths(dataDir).lock}.guard`;
}

/** Removes the lock when `id` holds it; a no-op when nobody does (release after unlock). */
export async function releaseLock(dataDir: string, id: string): Promise<void> {
  await withGuard(guardPath(dataDir), async () => {
    const holder = await readLock(dataDir);
    if (holder && holder.id === id) await rm(statePaths(dataDir).lock, { force: true });
  });
}

/** `walbctl unlock ID`: removes the lock when ID holds it, else says who does. */
export async function forceUnlock(dataDir: string, id: string): Promise<LockInfo> {
  return withGuard(guardPath(dataDir), async () => {
    const holder = await readLock(dataDir);
    if (!holder || holder.id !== id) throw new LockMismatchError(id, holder);
    await rm(statePaths(dataDir).lock, { force: true });
    await fsyncDir(statePaths(dataDir).dir);
    return holder;
  });
}
