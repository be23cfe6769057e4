/**
 * The heart of every restore: the chain of diffs from the base to a clean restorable gid, and the
 * image built from it at a temporary path — the base copied (reflink where possible) and checked
 * against base.sums as it is copied, then the diffs applied. A local restore (restore.ts) renames or
 * writes that image into place; a restore for another host (restore-image.ts) streams it over the
 * wire. Runs inside a registered `restore` action (the caller's handle).
 */
import { open, type FileHandle } from 'node:fs/promises';

import { copyImage } from './addon.js';
import { badBulkLines, baseSums } from './base-check.js';
import { pathTo, restorableSnaps } from './chain.js';
import { ArchiveCorruptError, GidError } from './errors.js';
import { fsyncFile } from './files.js';
import { formats } from './formats.js';
import { phaseReporter, type OnProgress } from './progress.js';
import { listDiffFiles, type ActionHandle, type ArchiveDiff } from './volume.js';
import { mapAddonError } from './wdiff-errors.js';

/** The diffs that lead from the base to `gid`; a GidError listing the restorable gids when none do. */
export async function restoreChain(h: Pick<ActionHandle, 'paths' | 'meta'>, vol: string, gid: number): Promise<ArchiveDiff[]> {
  const base = h.meta.base.e ?? h.meta.base.b;
  const diffs = await listDiffFiles(h.paths);
  const chain = pathTo(base, diffs, gid);
  if (chain) return chain;
  const ok = restorableSnaps(base, diffs).map((r) => r.snap.b);
  throw new GidError(vol, `gid ${gid} is not restorable; restorable gids: ${ok.join(', ') || 'none'}`);
}

export interface BuiltImage {
  method: 'reflink' | 'copy';
  /** Copied base data plus the diff files read. */
  bytes: number;
  diffsApplied: number;
}

/** A chain of diffs with every diff held open: a merge that deletes them afterwards cannot pull them away. */
export interface OpenDiffs {
  diffs: ArchiveDiff[];
  /** /proc/self/fd/N of each diff, in order (what the addon reads), → the diff's path (for error messages). */
  names: Map<string, string>;
  close(): Promise<void>;
}

const OPEN_ATTEMPTS = 20;

/**
 * Lists a chain with `pick` and opens each of its diffs. A merge may run beside a restore or a hash
 * backup (WalB's rules): it renames its output in and deletes its inputs between our listing and our
 * opening, so a diff that is gone (ENOENT) means the list is stale: close what was opened and list
 * again (bounded). The merged diff covers the same range, so the next list leads to the same image.
 */
export async function openDiffs<T extends { diffs: ArchiveDiff[] }>(pick: () => Promise<T>): Promise<T & OpenDiffs> {
  for (let attempt = 1; ; attempt++) {
    const picked = await pick();
    const handles: FileHandle[] = [];
    const names = new Map<string, string>();
    const close = async (): Promise<void> => {
      for (const fh of handles) await fh.close().catch(() => {});
    };
    try {
      for (const d of picked.diffs) {
        const fh = await open(d.path, 'r');
        handles.push(fh);
        names.set(`/proc/self/fd/${fh.fd}`, d.path);
      }
      return { ...picked, names, close };
    } catch (e) {
      await close();
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= OPEN_ATTEMPTS) throw e;
      await new Promise((r) => setTimeout(r, Math.min(attempt * 5, 100)));
    }
  }
}

/**
 * Builds the image of `gid` at `tmp` (which must not exist) and fsyncs it. The diffs are held open
 * from the start (openDiffs); a base that fails its checksums gives no image at all
 * (ArchiveCorruptError). The caller removes `tmp` on error.
 */
export async function buildImage(h: ActionHandle, vol: string, gid: number, tmp: string, o: { mode?: 'auto' | 'reflink' | 'copy'; onProgress?: OnProgress }): Promise<BuiltImage> {
  // A gid a merge removed meanwhile gives the GidError of any gid that is not restorable.
  const opened = await openDiffs(async () => ({ diffs: await restoreChain(h, vol, gid) }));
  const { diffs: chain, names } = opened;
  let bytes = chain.reduce((n, d) => n + d.dataSize, 0);
  try {
    const pre = await baseSums(h.paths, { snap: h.meta.base.b, sizeBytes: h.meta.sizeBytes, volume: vol });
    if (!pre.sums || pre.problems.length > 0) throw new ArchiveCorruptError(vol, pre.problems);
    const copied = await copyImage(
      { source: h.paths.base, target: tmp, mode: o.mode ?? 'auto', sync: chain.length === 0, checkBulkSize: pre.sums.bulkSize, checkHashes: pre.sums.hashes },
      phaseReporter(o.onProgress, 'copy'),
    );
    if (copied.badBulks.length > 0) throw new ArchiveCorruptError(vol, badBulkLines(h.paths.base, pre.sums, copied.badBulks));
    bytes += copied.bytesWritten;
    if (chain.length > 0) {
      const api = await formats();
      await api.applyDiffs([...names.keys()], tmp, { discard: 'punch' });
      o.onProgress?.({ phase: 'apply', done: chain.length, total: chain.length });
      await fsyncFile(tmp);
    }
    return { method: copied.method, bytes, diffsApplied: chain.length };
  } catch (error) {
    throw mapAddonError(error, names);
  } finally {
    await opened.close();
  }
}
