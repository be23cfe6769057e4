/**
 * merge VOL GIDB GIDE (or GIDB with a size limit): replaces consecutive diffs by one sorted wdiff,
 * by WalB's rules: each later diff mergeable, none compared, no explicit snapshot crossed. The merged
 * file is written at a temp name; the metadata records {output, inputs} before the rename, so a
 * crash after it loses only the inputs (recovery deletes them) and a crash before it loses nothing.
 */
import { rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { latestSnap } from './chain.js';
import { formatDiffName } from './diff-name.js';
import { GidError, RangeRefusedError } from './errors.js';
import { formats } from './formats.js';
import { fsyncDir, tempFor } from './files.js';
import { formatSnap, mergeRefusal, mergeSpan, type DiffSpan } from './gid.js';
import { since, type OnProgress } from './progress.js';
import { ensureRecovered } from './recover.js';
import { asAction, listDiffFiles, updateMeta, type ArchiveDiff } from './volume.js';
import { mapAddonError } from './wdiff-errors.js';

export interface MergeOptions {
  gidB: number;
  /** Merge up to the diff that ends at this gid ... */
  gidE?: number;
  /** ... or as many diffs from gidB as fit in this many bytes (WalB's `merge vol gidB size maxMb`). */
  maxSizeBytes?: number;
  compression?: string;
  onProgress?: OnProgress;
}

export interface MergeResult {
  output: string;
  inputs: string[];
  bytesIn: number;
  bytesOut: number;
  seconds: number;
}

/** Picks the diffs a merge takes and checks WalB's rules; pure. */
export function pickMergeRange(vol: string, chain: readonly ArchiveDiff[], explicit: readonly number[], opts: MergeOptions): ArchiveDiff[] {
  const i = chain.findIndex((d) => d.b.b === opts.gidB);
  if (i < 0) {
    throw new GidError(vol, `no diff starts at gid ${opts.gidB}; diffs start at: ${chain.map((d) => d.b.b).join(', ') || 'none'}`);
  }
  if (opts.gidE === undefined && opts.maxSizeBytes === undefined) throw new RangeRefusedError(vol, 'merge needs gidE or a size limit');
  const picked: ArchiveDiff[] = [chain[i]!];
  let acc: DiffSpan = chain[i]!;
  let size = chain[i]!.dataSize;
  for (let j = i + 1; j < chain.length; j++) {
    if (opts.gidE !== undefined && acc.e.b >= opts.gidE) break;
    const d = chain[j]!;
    if (opts.maxSizeBytes !== undefined && size + d.dataSize > opts.maxSizeBytes) break;
    const why = explicit.includes(d.b.b) ? `gid ${d.b.b} is an explicit snapshot` : mergeRefusal(acc, d);
    if (why) {
      if (opts.gidE === undefined) break;
      throw new RangeRefusedError(vol, `cannot merge ${formatSnap(acc.b)}-->${formatSnap(d.e)}: ${why}; nothing was changed`);
    }
    picked.push(d);
    acc = mergeSpan(acc, d);
    size += d.dataSize;
  }
  if (opts.gidE !== undefined && acc.e.b !== opts.gidE) {
    const ends = chain.slice(i).map((d) => d.e.b);
    throw new GidError(vol, `no run of diffs from gid ${opts.gidB} ends at gid ${opts.gidE}; they end at: ${ends.join(', ')}`);
  }
  if (picked.length < 2) throw new RangeRefusedError(vol, `nothing to merge from gid ${opts.gidB}: only one diff fits`);
  return picked;
}

export async function merge(dataDir: string, vol: string, opts: MergeOptions): Promise<MergeResult> {
  const t0 = process.hrtime.bigint();
  await ensureRecovered(dataDir, vol);
  return asAction(dataDir, vol, {
    op: 'merge',
    run: async (h) => {
      const base = h.meta.base.e ?? h.meta.base.b;
      const chain = latestSnap(base, await listDiffFiles(h.paths)).path;
      // One diff that spans the range already: the merge is done (a re-run after a crash).
      const done = opts.gidE !== undefined ? chain.find((d) => d.b.b === opts.gidB && d.e.b === opts.gidE) : undefined;
      if (done) return { output: done.file, inputs: [], bytesIn: 0, bytesOut: done.dataSize, seconds: since(t0) };
      const picked = pickMergeRange(vol, chain, h.meta.explicitSnapshots, opts);
      let span: DiffSpan = picked[0]!;
      for (const d of picked.slice(1)) span = mergeSpan(span, d);
      const output = formatDiffName({ ...span, timestamp: picked[picked.length - 1]!.timestamp });
      const target = join(h.paths.dir, output);
      const tmp = tempFor(target);
      try {
        const api = await formats();
        await api.mergeDiffs(
          picked.map((d) => d.path),
          tmp,
          { ...(opts.compression ? { compression: opts.compression } : {}), ...(h.meta.deviceUuid ? { uuid: h.meta.deviceUuid } : {}) },
        );
      } catch (error) {
        await rm(tmp, { force: true });
        throw mapAddonError(error);
      }
      const inputs = picked.map((d) => d.file);
      await updateMeta(h.paths, (m) => void (m.merging = { output, inputs }), { volume: vol, operation: 'merge commit' });
      await rename(tmp, target);
      await fsyncDir(h.paths.dir);
      for (const d of picked) await rm(d.path, { force: true });
      await fsyncDir(h.paths.dir);
      await updateMeta(h.paths, (m) => void (m.merging = null), { volume: vol, operation: 'merge done' });
      const { size } = await stat(target);
      return { output, inputs, bytesIn: picked.reduce((n, d) => n + d.dataSize, 0), bytesOut: size, seconds: since(t0) };
    },
  });
}
