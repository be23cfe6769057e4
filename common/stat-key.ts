/**
 * What a file or folder looks like from its inode alone: inode, size, mtime and ctime as one string,
 * or null when it cannot be stat'ed. Every writer here replaces a file by rename or appends to it,
 * so an unchanged key means unchanged contents (and for a folder, unchanged names), and a caller may
 * keep what it read last time instead of reading again.
 *
 * Synchronous on purpose: a daemon pass asks this for every volume, and the kernel answers from its
 * cache in a few microseconds, where the thread pool's round trip costs ten times the CPU.
 */
import { statSync } from 'node:fs';

export function statKey(path: string): string | null {
  try {
    const s = statSync(path, { throwIfNoEntry: false });
    return s ? `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}` : null;
  } catch {
    return null; // unreadable: the read that follows says why
  }
}
