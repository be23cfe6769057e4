/**
 * What the archive receives from a storage: the full backup (the base image, dirty snapshot `|0,E|`)
 * and diffs (a snapshot's changed bulks, a hash backup's compared diff, a proxy's converted log).
 * A received file is installed whole (temp, fsync, rename) and its name is its entry in the list.
 */
import { rename, rm, stat } from 'node:fs/promises';

import { InputError } from '../../../common/errors.js';
import { makeBaseSums } from './base-check.js';
import { bulkCount, writeSums } from './base-sums.js';
import { latestSnap } from './chain.js';
import { formatDiffName, type DiffName } from './diff-name.js';
import { ChainRelationError } from './errors.js';
import { canApply, formatSnap, type GidSnap } from './gid.js';
import { fsyncDir, installFile, tempFor } from './files.js';
import { ensureRecovered } from './recover.js';
import { wdiffUuid } from './uuid.js';
import { asAction, listDiffFiles, updateMeta } from './volume.js';
import { mapAddonError } from './wdiff-errors.js';

export interface ReceiveFullOptions<T> {
  deviceUuid: string;
  sizeBytes: number;
  /** The base's snapshot, `|0,E|`. */
  snap: GidSnap;
  timestamp: string;
  /** Id of this full backup, recorded so the storage can tell on a re-run that it landed. */
  id: string;
  /** Writes the base image at `tmpPath` (and fsyncs it). */
  produce: (tmpPath: string) => Promise<T>;
  /**
   * The base's checksums, when `produce` made them from the bytes it wrote (XXH3-64 per bulk,
   * base-sums.md); otherwise (null, or no function) the installed base is read once more to make them.
   */
  sumsOf?: (result: T) => { bulkSize: number; hashes: Buffer } | null;
}

/** Installs a full backup as the base image: SyncReady → Archived. */
export async function receiveFullBackup<T>(dataDir: string, vol: string, opts: ReceiveFullOptions<T>): Promise<T> {
  await ensureRecovered(dataDir, vol);
  return asAction(dataDir, vol, {
    op: 'full-backup',
    run: async (h) => {
      const tmp = tempFor(h.paths.base);
      let result: T;
      try {
        result = await opts.produce(tmp);
        await rename(tmp, h.paths.base);
      } catch (error) {
        await rm(tmp, { force: true });
        throw mapAddonError(error);
      }
      await fsyncDir(h.paths.dir);
      // Before the commit: an archive that says Archived always has its base's checksums.
      const made = opts.sumsOf?.(result) ?? null;
      if (made && made.hashes.length === bulkCount(opts.sizeBytes, made.bulkSize) * 8) {
        await writeSums(h.paths.sums, { bulkSize: made.bulkSize, sizeBytes: opts.sizeBytes, snap: { b: opts.snap.b, e: opts.snap.e }, hashes: made.hashes });
      } else {
        await makeBaseSums(h.paths, opts.snap);
      }
      await updateMeta(
        h.paths,
        (m) => {
          Object.assign(m, {
            state: 'Archived',
            base: { b: opts.snap },
            baseTimestamp: opts.timestamp,
            deviceUuid: opts.deviceUuid,
            sizeBytes: opts.sizeBytes,
            fullBackupId: opts.id,
            explicitSnapshots: [],
          });
        },
        { volume: vol, operation: 'full-backup commit' },
      );
      return result;
    },
  });
}

export interface AddDiffOptions {
  /** The wdiff file to add. */
  source: string;
  /** Its snapshots, flags and timestamp: they become its file name. */
  diff: DiffName;
  /** Move the file instead of copying it. */
  move?: boolean;
  /** The snapshot at the diff's end is explicit (an operator or schedule asked for it). */
  explicitEnd?: boolean;
}

export interface AddDiffResult {
  file: string;
  /** False when the same diff was there already (a re-run). */
  added: boolean;
}

/** Adds a diff at the end of the chain. Idempotent: the same |B|-->|E| again changes nothing. */
export async function addDiff(dataDir: string, vol: string, opts: AddDiffOptions): Promise<AddDiffResult> {
  await ensureRecovered(dataDir, vol);
  return asAction(dataDir, vol, {
    op: 'receive-diff',
    run: async (h) => {
      const d = opts.diff;
      const file = formatDiffName(d);
      const diffs = await listDiffFiles(h.paths, { sizes: false }); // the chain only: no stat per diff
      const same = diffs.find((x) => x.b.b === d.b.b && x.b.e === d.b.e && x.e.b === d.e.b && x.e.e === d.e.e);
      if (same) {
        if (opts.move) await rm(opts.source, { force: true });
        return { file: same.file, added: false };
      }
      const base = h.meta.base.e ?? h.meta.base.b;
      const latest = latestSnap(base, diffs).snap;
      if (!canApply(latest, d)) throw chainRelation(vol, latest, d);
      const uuid = await wdiffUuid(opts.source);
      if (h.meta.deviceUuid && uuid !== h.meta.deviceUuid) {
        throw new InputError(`wdiff header uuid ${uuid || '(none)'} is not the volume's device uuid ${h.meta.deviceUuid}`, `${opts.source}: byte 16`);
      }
      await stat(opts.source);
      if (opts.explicitEnd || !d.mergeable) {
        await updateMeta(
          h.paths,
          (m) => {
            const add = [...(opts.explicitEnd ? [d.e.b] : []), ...(!d.mergeable && d.b.b === d.b.e ? [d.b.b] : [])];
            m.explicitSnapshots = [...new Set([...m.explicitSnapshots, ...add])].sort((x, y) => x - y);
          },
          { volume: vol, operation: 'receive-diff' },
        );
      }
      try {
        await installFile(opts.source, `${h.paths.dir}/${file}`, { copy: !opts.move });
      } catch (error) {
        throw mapAddonError(error);
      }
      return { file, added: true };
    },
  });
}

/** Why `d` does not continue an archive whose chain ends at `latest` (WalB's relation, and base-moved). */
export function chainRelation(vol: string, latest: GidSnap, d: DiffName): ChainRelationError {
  const span = `${formatSnap(d.b)}-->${formatSnap(d.e)}`;
  if (d.e.b <= latest.b) return new ChainRelationError(vol, 'too-old', `diff ${span}: the archive is at ${formatSnap(latest)} already`);
  if (d.b.b > latest.b) return new ChainRelationError(vol, 'too-new', `diff ${span} does not continue the archive, which ends at ${formatSnap(latest)}`);
  return new ChainRelationError(
    vol,
    'base-moved',
    `diff ${span} is a compared diff (a hash backup's) made against ${formatSnap(d.b)}, but the archive has moved on to ${formatSnap(latest)} since it was hashed: it applies only where it was made, and a new hash backup from ${formatSnap(latest)} is needed`,
  );
}
