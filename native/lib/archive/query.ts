/**
 * Read-only views of an archive volume: state, base, diff list, restorable and restored snapshots,
 * and `observeArchive`, the ObservedArchive the reconciler's native driver reports (with the
 * replica cursors of replicas.ts).
 */
import { readdir } from 'node:fs/promises';

import type { ArchiveState, ObservedArchive, ObservedDiff, ObservedRestored } from '../../../common/observed.js';
import { restorableSnaps } from './chain.js';
import { archivePaths, archiveRoot, isVolumeName } from './layout.js';
import type { ArchiveMeta } from './meta.js';
import { readReplicaCursors } from './replicas.js';
import { listDiffFiles, liveActions, readStateOrClear, type ArchiveDiff } from './volume.js';

export interface RestorableSnapshot {
  gid: number;
  timestamp: string;
  explicit: boolean;
}

/** The archive's state; `Clear` when the volume has no archive here. */
export async function archiveState(dataDir: string, vol: string): Promise<ArchiveState> {
  return (await readStateOrClear(archivePaths(dataDir, vol))).state;
}

/** The metadata, or null when Clear. */
export async function archiveMeta(dataDir: string, vol: string): Promise<ArchiveMeta | null> {
  return (await readStateOrClear(archivePaths(dataDir, vol))).meta;
}

function toObserved(d: ArchiveDiff): ObservedDiff {
  return { b: d.b, e: d.e, mergeable: d.mergeable, compared: d.compared, timestamp: d.timestamp, dataSize: d.dataSize, file: d.file };
}

export async function listDiffs(dataDir: string, vol: string): Promise<ObservedDiff[]> {
  return (await listDiffFiles(archivePaths(dataDir, vol))).map(toObserved);
}

function explicitSet(meta: ArchiveMeta, diffs: readonly ArchiveDiff[]): Set<number> {
  const set = new Set(meta.explicitSnapshots);
  for (const d of diffs) if (!d.mergeable && d.b.b === d.b.e) set.add(d.b.b);
  return set;
}

function restorableOf(meta: ArchiveMeta, diffs: readonly ArchiveDiff[]): RestorableSnapshot[] {
  if (meta.state === 'SyncReady' || meta.state === 'Clear') return [];
  const explicit = explicitSet(meta, diffs);
  return restorableSnaps(meta.base.e ?? meta.base.b, diffs).map((r) => ({
    gid: r.snap.b,
    timestamp: r.timestamp ?? meta.baseTimestamp ?? meta.createdAt,
    explicit: explicit.has(r.snap.b),
  }));
}

/** Clean snapshots that can be restored, oldest first. */
export async function restorable(dataDir: string, vol: string): Promise<RestorableSnapshot[]> {
  const paths = archivePaths(dataDir, vol);
  const { meta } = await readStateOrClear(paths);
  if (!meta) return [];
  // The chain only: no file sizes (a stat per diff made this 10-20 ms with a few hundred diffs).
  return restorableOf(meta, await listDiffFiles(paths, { sizes: false }));
}

export async function restoredImages(dataDir: string, vol: string): Promise<ObservedRestored[]> {
  const meta = await archiveMeta(dataDir, vol);
  return meta ? [...meta.restored].sort((a, b) => a.gid - b.gid) : [];
}

/** What the reconciler's native driver reports; undefined when this host holds no archive of `vol`. */
export async function observeArchive(dataDir: string, vol: string): Promise<ObservedArchive | undefined> {
  const paths = archivePaths(dataDir, vol);
  const { meta } = await readStateOrClear(paths);
  if (!meta) return undefined;
  const diffs = await listDiffFiles(paths);
  const live = liveActions(meta);
  return {
    state: meta.state,
    base: meta.base.e ? { b: meta.base.b, e: meta.base.e } : { b: meta.base.b },
    uuid: meta.uuid,
    ...(meta.fullBackupId ? { lineage: meta.fullBackupId } : {}),
    diffs: diffs.map(toObserved),
    explicitSnapshots: [...explicitSet(meta, diffs)].sort((a, b) => a - b),
    restorable: restorableOf(meta, diffs),
    restored: [...meta.restored].sort((a, b) => a.gid - b.gid),
    replicas: await readReplicaCursors(dataDir, vol),
    busy: live.length > 0 ? [...new Set(live.map((a) => a.name))].join(',') : meta.applying ? 'apply (interrupted)' : null,
    ...(meta.setAside?.length ? { setAside: meta.setAside } : {}),
  };
}

/** Names of the volumes that have an archive folder under `dataDir`. */
export async function listArchiveVolumes(dataDir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(archiveRoot(dataDir), { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return entries.filter((d) => d.isDirectory() && isVolumeName(d.name)).map((d) => d.name).sort();
}
