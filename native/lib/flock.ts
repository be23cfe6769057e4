/**
 * A guard: an exclusive flock(2) on a file that is never deleted, held for the few milliseconds a
 * lock file is checked and changed. The kernel drops it when its holder dies, so the guard is never
 * stale, and it makes "read the lock, decide it is free or stale, take it" one atomic step: no
 * second process can read a half-made lock or remove one another process has just taken.
 */
import { open } from 'node:fs/promises';

import { loadAddon } from './load.js';

interface FlockAddon {
  flock(fd: number, nonBlocking: boolean): boolean;
  unflock(fd: number): void;
}

/** Tries to take an exclusive flock on `fd` without waiting; false when another holds it. */
export function tryFlock(fd: number): boolean {
  return loadAddon<FlockAddon>().flock(fd, true);
}

export function unflock(fd: number): void {
  loadAddon<FlockAddon>().unflock(fd);
}

/** Runs `fn` while holding the guard at `path` (created if missing); waits up to `timeoutMs`. */
export async function withGuard<T>(path: string, fn: () => Promise<T>, opts: { timeoutMs?: number } = {}): Promise<T> {
  const addon = loadAddon<FlockAddon>();
  const handle = await open(path, 'a', 0o644);
  try {
    const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
    let wait = 1;
    while (!addon.flock(handle.fd, true)) {
      if (Date.now() > deadline) throw new Error(`${path}: the lock guard is still held after ${opts.timeoutMs ?? 30_000} ms`);
      await new Promise((r) => setTimeout(r, wait));
      wait = Math.min(wait * 2, 20);
    }
    try {
      return await fn();
    } finally {
      addon.unflock(handle.fd);
    }
  } finally {
    await handle.close();
  }
}
