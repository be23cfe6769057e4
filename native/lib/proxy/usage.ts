/**
 * How much of the spool each volume holds: the bytes of every distinct file (a diff hard-linked into
 * three queues counts once) under master/, queue/*\/ and incoming/. `spoolLimit` is checked against
 * the total; the per-volume figures say who fills it.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { spoolRoot } from './layout.js';

export interface SpoolUsage {
  totalBytes: number;
  volumes: Record<string, { bytes: number; files: number }>;
}

async function entries(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

async function countDir(dir: string, seen: Set<string>, into: { bytes: number; files: number }): Promise<void> {
  for (const name of await entries(dir)) {
    let st;
    try {
      st = await stat(join(dir, name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // sent and unlinked meanwhile
      throw error;
    }
    if (!st.isFile()) continue;
    const key = `${st.dev}:${st.ino}`;
    if (seen.has(key)) continue;
    seen.add(key);
    into.bytes += st.size;
    into.files += 1;
  }
}

export async function spoolUsage(dataDir: string): Promise<SpoolUsage> {
  const root = spoolRoot(dataDir);
  const usage: SpoolUsage = { totalBytes: 0, volumes: {} };
  for (const vol of (await entries(root)).filter((n) => !n.startsWith('.'))) {
    const seen = new Set<string>();
    const v = { bytes: 0, files: 0 };
    const dir = join(root, vol);
    await countDir(join(dir, 'master'), seen, v);
    await countDir(join(dir, 'incoming'), seen, v);
    for (const q of await entries(join(dir, 'queue'))) await countDir(join(dir, 'queue', q), seen, v);
    usage.volumes[vol] = v;
    usage.totalBytes += v.bytes;
  }
  return usage;
}

/** "a 3.5 GiB in 40 files, b 0.4 GiB in 3 files", largest first: who fills the spool. */
export function describeUsage(u: SpoolUsage): string {
  return Object.entries(u.volumes)
    .filter(([, v]) => v.files > 0)
    .sort((x, y) => y[1].bytes - x[1].bytes)
    .map(([name, v]) => `${name} ${mib(v.bytes)} in ${v.files} file${v.files === 1 ? '' : 's'}`)
    .join(', ');
}

export function mib(n: number): string {
  return `${(n / 2 ** 20).toFixed(1)} MiB`;
}
