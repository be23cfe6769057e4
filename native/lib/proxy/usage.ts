/**
 * How much of the spool each volume holds: the bytes of every distinct file (a diff hard-linked into
 * three queues counts once) under master/, queue/*\/ and incoming/. `spoolLimit` is checked against
 * the total; the per-volume figures say who fills it.
 */
import { readdirSync, statSync, type BigIntStats } from 'node:fs';
import { join } from 'node:path';

import { spoolRoot } from './layout.js';

export interface SpoolUsage {
  totalBytes: number;
  volumes: Record<string, { bytes: number; files: number }>;
}

/**
 * A directory's files as last read: by inode (dev:ino, so that hard links count once) their sizes.
 * Every batch admitted or stored, and every status call (a storage asks each second per volume),
 * needs the whole spool's usage; stat'ing every file of every volume each time made it O(files):
 * 380 ms of CPU per call for 200 volumes holding 20 diffs each (2026-12-06). A directory whose mtime
 * is what it was when it was read is not read again — the files in master/ and the queues are
 * immutable (written under temporary names and renamed in, or hard-linked), and adding, renaming or
 * removing one changes the directory's mtime. Not trusted, so read again every time: a listing made
 * within 2 s of the directory's mtime (a change in the same clock tick would not move the mtime:
 * git's "racily clean" case), one that holds a temporary file (it grows without touching the
 * directory), and incoming/ (partial transfers grow in place).
 */
interface Listing {
  mtimeNs: bigint;
  trusted: boolean;
  files: Map<string, number>;
  dirs: string[];
}

/** Listings by directory path, for every spool this process reads (a proxy has one data directory). */
const listings = new Map<string, Listing>();
const RACY_NS = 2_000_000_000n;
/** How many directories were read (not taken from a listing): tests check the cache with it. */
export const usageScans = { dirs: 0 };

function statOrNull(path: string): BigIntStats | null {
  try {
    return statSync(path, { bigint: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

function list(dir: string, mayTrust: boolean): Listing | null {
  const st = statOrNull(dir);
  if (!st) {
    listings.delete(dir);
    return null;
  }
  const known = listings.get(dir);
  if (known && known.trusted && known.mtimeNs === st.mtimeNs) return known;
  usageScans.dirs++;
  const files = new Map<string, number>();
  const dirs: string[] = [];
  let temporary = false;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  for (const name of names) {
    const f = statOrNull(join(dir, name)); // null: sent and unlinked meanwhile
    if (!f) continue;
    if (f.isDirectory()) dirs.push(name);
    if (!f.isFile()) continue;
    if (name.startsWith('.tmp-')) temporary = true;
    files.set(`${f.dev}:${f.ino}`, Number(f.size));
  }
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  const l: Listing = { mtimeNs: st.mtimeNs, trusted: mayTrust && !temporary && nowNs - st.mtimeNs > RACY_NS, files, dirs };
  listings.set(dir, l);
  return l;
}

function countDir(dir: string, seen: Set<string>, into: { bytes: number; files: number }, mayTrust = true): void {
  const l = list(dir, mayTrust);
  if (!l) return;
  for (const [key, size] of l.files) {
    if (seen.has(key)) continue;
    seen.add(key);
    into.bytes += size;
    into.files += 1;
  }
}

export async function spoolUsage(dataDir: string): Promise<SpoolUsage> {
  const root = spoolRoot(dataDir);
  const usage: SpoolUsage = { totalBytes: 0, volumes: {} };
  for (const vol of (list(root, true)?.dirs ?? []).filter((n) => !n.startsWith('.')).sort()) {
    const seen = new Set<string>();
    const v = { bytes: 0, files: 0 };
    const dir = join(root, vol);
    countDir(join(dir, 'master'), seen, v);
    countDir(join(dir, 'incoming'), seen, v, false);
    for (const q of list(join(dir, 'queue'), true)?.dirs ?? []) countDir(join(dir, 'queue', q), seen, v);
    usage.volumes[vol] = v;
    usage.totalBytes += v.bytes;
  }
  // A volume the proxy dropped leaves no listings behind (a long-running proxy sees volumes come and go).
  for (const dir of listings.keys()) {
    if (!dir.startsWith(`${root}/`)) continue;
    const vol = dir.slice(root.length + 1).split('/')[0]!;
    if (!(vol in usage.volumes)) listings.delete(dir);
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
