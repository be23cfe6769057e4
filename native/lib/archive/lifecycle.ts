/**
 * Archive lifecycle, as WalB's archive state machine: init (Clear → SyncReady), stop (Archived →
 * Stopped), start (Stopped → Archived, finishing an interrupted apply), reset (SyncReady/Stopped →
 * SyncReady, dropping base and diffs), clear (SyncReady/Stopped → Clear, removing the volume).
 */
import { mkdir, readdir, rm } from 'node:fs/promises';

import type { ArchiveState } from '../../../common/observed.js';
import { WrongStateError } from './errors.js';
import { archivePaths, setAsideDir } from './layout.js';
import { writeArchiveMeta, type ArchiveMeta } from './meta.js';
import { ensureRecovered } from './recover.js';
import { newUuid } from './uuid.js';
import { asAction, readStateOrClear, updateMeta } from './volume.js';
import { fsyncDir } from './files.js';

export interface InitArchiveOptions {
  /** The archive's uuid; a new one by default. */
  uuid?: string;
}

/** Creates the volume's folder and metadata in state SyncReady. */
export async function initArchiveVolume(dataDir: string, vol: string, opts: InitArchiveOptions = {}): Promise<ArchiveMeta> {
  const paths = archivePaths(dataDir, vol);
  const { state } = await readStateOrClear(paths);
  if (state !== 'Clear') throw new WrongStateError(vol, 'init', state, ['Clear']);
  // A folder without metadata is what an interrupted clear leaves: nothing in it is kept.
  await rm(paths.dir, { recursive: true, force: true });
  await mkdir(paths.dir, { recursive: true });
  const meta: ArchiveMeta = {
    formatVersion: 1,
    volume: vol,
    state: 'SyncReady',
    uuid: opts.uuid ?? newUuid(),
    deviceUuid: null,
    sizeBytes: null,
    base: { b: { b: 0, e: 0 } },
    baseTimestamp: null,
    explicitSnapshots: [],
    applying: null,
    merging: null,
    restoring: [],
    restored: [],
    fullBackupId: null,
    actions: [],
    createdAt: new Date().toISOString(),
  };
  await writeArchiveMeta(paths.meta, meta);
  await fsyncDir(paths.root);
  return meta;
}

async function move(dataDir: string, vol: string, op: 'stop' | 'start', to: ArchiveState): Promise<void> {
  if (op === 'start') await ensureRecovered(dataDir, vol);
  await asAction(dataDir, vol, {
    op,
    run: async (h) => {
      await updateMeta(h.paths, (m) => void (m.state = to), { volume: vol, operation: op });
    },
  });
  if (op === 'start') await ensureRecovered(dataDir, vol);
}

export function stopArchive(dataDir: string, vol: string): Promise<void> {
  return move(dataDir, vol, 'stop', 'Stopped');
}

export function startArchive(dataDir: string, vol: string): Promise<void> {
  return move(dataDir, vol, 'start', 'Archived');
}

/** Drops the base image and every diff; keeps the volume in SyncReady for a new full backup. */
export async function resetArchive(dataDir: string, vol: string): Promise<void> {
  await asAction(dataDir, vol, {
    op: 'reset',
    run: async (h) => {
      await updateMeta(
        h.paths,
        (m) => {
          Object.assign(m, { state: 'SyncReady', base: { b: { b: 0, e: 0 } }, baseTimestamp: null, explicitSnapshots: [], applying: null, merging: null, fullBackupId: null });
          delete m.setAside;
        },
        { volume: vol, operation: 'reset' },
      );
      for (const name of await readdir(h.paths.dir)) {
        if (name.endsWith('.wdiff') || name === 'base.img' || name === 'base.sums' || name.startsWith('.tmp-')) await rm(`${h.paths.dir}/${name}`, { force: true });
      }
      await rm(setAsideDir(h.paths), { recursive: true, force: true });
      await fsyncDir(h.paths.dir);
    },
  });
}

/**
 * Removes the volume's folder (base, diffs, default restored images) and the restored images it
 * lists elsewhere — only those `removeRestored` allows, when given (the reconciler deletes only the
 * images it made); the others stay where they are, no longer listed.
 */
export async function clearArchive(dataDir: string, vol: string, opts: { removeRestored?: (path: string) => boolean } = {}): Promise<void> {
  await asAction(dataDir, vol, {
    op: 'clear',
    run: async (h) => {
      for (const r of h.meta.restored) if (!opts.removeRestored || opts.removeRestored(r.path)) await rm(r.path, { force: true });
      // The metadata goes first: a crash midway leaves a folder without meta, which reads as Clear.
      await rm(h.paths.meta, { force: true });
      await fsyncDir(h.paths.dir);
      await rm(h.paths.dir, { recursive: true, force: true });
      await fsyncDir(h.paths.root);
    },
  });
}
