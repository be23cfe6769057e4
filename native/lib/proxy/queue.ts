/**
 * Reading the spool's queues: the diffs waiting for each archive, oldest first, with the time each
 * arrived (the inode's mtime, shared by every hard link of it).
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { bySpoolOrder, parseSpoolName, queueDir, type ProxyPaths, type SpooledDiff } from './layout.js';

export interface QueuedDiff extends SpooledDiff {
  file: string;
  path: string;
  bytes: number;
  arrivedMs: number;
}

export async function listNames(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

export async function listQueue(p: ProxyPaths, archive: string): Promise<QueuedDiff[]> {
  const dir = queueDir(p, archive);
  const out: QueuedDiff[] = [];
  for (const file of await listNames(dir)) {
    const d = parseSpoolName(file);
    if (!d) continue;
    const path = join(dir, file);
    try {
      const st = await stat(path);
      out.push({ ...d, file, path, bytes: st.size, arrivedMs: st.mtimeMs });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return out.sort(bySpoolOrder);
}

/** Every archive that has a queue directory (the tree's archives, and any left to drain). */
export async function queueNames(p: ProxyPaths): Promise<string[]> {
  return (await listNames(p.queues)).filter((n) => !n.startsWith('.'));
}

/** Diffs waiting in all the volume's queues, each distinct file once. */
export async function countQueued(p: ProxyPaths): Promise<number> {
  const seen = new Set<string>();
  for (const a of await queueNames(p)) for (const f of await listNames(join(p.queues, a))) if (parseSpoolName(f)) seen.add(f);
  return seen.size;
}
