/**
 * One archive volume on disk: its paths, its metadata (read, updated under the volume lock), its
 * diff list (the file names), and the registration of running actions that exclude each other.
 */
import { readdir, stat } from 'node:fs/promises';

import type { ArchiveState } from '../../../common/observed.js';
import type { ChainDiff } from './chain.js';
import { parseDiffName } from './diff-name.js';
import { BusyError, WrongStateError } from './errors.js';
import { archivePaths, type ArchivePaths } from './layout.js';
import { pidAlive, withLock } from './lock.js';
import { readArchiveMeta, writeArchiveMeta, type ArchiveMeta } from './meta.js';
import { ALLOWED_STATES, excludes, type ArchiveOp } from './rules.js';

export interface ArchiveDiff extends ChainDiff {
  /** Bytes of the wdiff file. */
  dataSize: number;
  /** Absolute path. */
  path: string;
}

/** The archive's state, `Clear` when the volume folder or its metadata is absent. */
export async function readStateOrClear(paths: ArchivePaths): Promise<{ state: ArchiveState; meta: ArchiveMeta | null }> {
  try {
    await stat(paths.meta);
  } catch {
    return { state: 'Clear', meta: null };
  }
  const meta = await readArchiveMeta(paths.meta);
  return { state: meta.state, meta };
}

/**
 * The wdiff files of the volume, sorted by begin then end gid. Temp files are ignored. With
 * `sizes: false` the files are not stat'ed and `dataSize` is 0: for callers that need only the
 * chain (restorable gids), which a status poll asks for often while hundreds of diffs wait.
 */
export async function listDiffFiles(paths: ArchivePaths, opts: { sizes?: boolean } = {}): Promise<ArchiveDiff[]> {
  let names: string[];
  try {
    names = await readdir(paths.dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const diffs: ArchiveDiff[] = [];
  for (const file of names) {
    const parsed = parseDiffName(file);
    if (!parsed) continue;
    const path = `${paths.dir}/${file}`;
    if (opts.sizes === false) {
      diffs.push({ ...parsed, file, path, dataSize: 0 });
      continue;
    }
    let size: number;
    try {
      size = (await stat(path)).size;
    } catch {
      continue; // removed meanwhile (a merge finishing)
    }
    diffs.push({ ...parsed, file, path, dataSize: size });
  }
  return diffs.sort((x, y) => x.b.b - y.b.b || x.e.b - y.e.b || x.b.e - y.b.e || x.file.localeCompare(y.file));
}

/** Read-modify-write of the metadata under the volume lock. */
export async function updateMeta<T>(paths: ArchivePaths, fn: (meta: ArchiveMeta) => Promise<T> | T, opts: { volume: string; operation: string }): Promise<T> {
  return withLock(
    paths.lock,
    async () => {
      const meta = await readArchiveMeta(paths.meta);
      const result = await fn(meta);
      await writeArchiveMeta(paths.meta, meta);
      return result;
    },
    opts,
  );
}

/**
 * The actions this process runs now (name and start), as beginAction registered them. An entry of
 * this process's pid that is not here is stale: its end() could not write the metadata (the lock
 * was held past its timeout, a full disk) — in a daemon that lives for months it would otherwise
 * refuse every action it excludes until a restart. Archive actions run on the main thread.
 */
const ownRunning = new Map<string, number>();
const ownKey = (a: { name: string; since: string }) => `${a.name}\0${a.since}`;

export function liveActions(meta: ArchiveMeta): ArchiveMeta['actions'] {
  return meta.actions.filter((a) => (a.pid === process.pid ? (ownRunning.get(ownKey(a)) ?? 0) > 0 : pidAlive(a.pid)));
}

export interface ActionHandle {
  paths: ArchivePaths;
  meta: ArchiveMeta;
  /** Unregisters the action. */
  end(): Promise<void>;
}

/**
 * Registers `op` as running on the volume after checking the state allows it and no running action
 * excludes it; refuses with one clear line otherwise. Actions of dead processes are dropped.
 */
export async function beginAction(dataDir: string, vol: string, opts: { op: ArchiveOp; states?: readonly ArchiveState[] }): Promise<ActionHandle> {
  const paths = archivePaths(dataDir, vol);
  const allowed = opts.states ?? ALLOWED_STATES[opts.op];
  const { state } = await readStateOrClear(paths);
  if (state === 'Clear') throw new WrongStateError(vol, opts.op, 'Clear', allowed);
  const since = new Date().toISOString();
  const key = ownKey({ name: opts.op, since });
  let registered = false;
  const forget = () => {
    const n = (ownRunning.get(key) ?? 1) - 1;
    if (n > 0) ownRunning.set(key, n);
    else ownRunning.delete(key);
  };
  const meta = await updateMeta(
    paths,
    (m) => {
      m.actions = liveActions(m);
      if (!allowed.includes(m.state)) throw new WrongStateError(vol, opts.op, m.state, allowed);
      const clash = m.actions.find((a) => excludes(opts.op, a.name as ArchiveOp));
      if (clash) throw new BusyError(vol, opts.op, clash.name, clash.pid);
      m.actions.push({ name: opts.op, pid: process.pid, since });
      // Before the write, under the lock: another action of this process reads it as live at once.
      ownRunning.set(key, (ownRunning.get(key) ?? 0) + 1);
      registered = true;
      return structuredClone(m);
    },
    { volume: vol, operation: opts.op },
  ).catch((error: unknown) => {
    if (registered) forget(); // the metadata was not written
    throw error;
  });
  let ended = false;
  return {
    paths,
    meta,
    async end() {
      if (ended) return;
      ended = true;
      // From here the entry is stale for this process whether or not the write below lands.
      forget();
      await updateMeta(
        paths,
        (m) => {
          const i = m.actions.findIndex((a) => a.name === opts.op && a.pid === process.pid && a.since === since);
          if (i >= 0) m.actions.splice(i, 1);
        },
        { volume: vol, operation: `end ${opts.op}` },
      ).catch(() => {}); // the next action's liveActions drops the entry
    },
  };
}

/** Runs `fn` as a registered action, always unregistering it. */
export async function asAction<T>(dataDir: string, vol: string, opts: { op: ArchiveOp; states?: readonly ArchiveState[]; run: (h: ActionHandle) => Promise<T> }): Promise<T> {
  const handle = await beginAction(dataDir, vol, opts);
  try {
    return await opts.run(handle);
  } finally {
    await handle.end();
  }
}
