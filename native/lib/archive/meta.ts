/**
 * The archive's metadata file (`meta.json`): state, base `<B>` or `<B-->E>`, device and archive
 * uuids, explicit snapshots, restored images, and the journal entries of interrupted actions
 * (apply, merge, restore) that recovery finishes or rolls back. Written atomically only.
 */
import type { ArchiveState, GidSnap, ObservedRestored, SetAsideDiff } from '../../../common/observed.js';
import { isArray, isCountOrNull, isObject, isString, isStringOrNull, oneOf, readChecked, writeJson } from './json-file.js';

export interface RunningAction {
  name: string;
  pid: number;
  since: string;
}

export interface ArchiveMeta {
  formatVersion: 1;
  volume: string;
  state: ArchiveState;
  /** This archive's uuid (hex, 32 digits), made at init. */
  uuid: string;
  /** The storage device's uuid, carried in every wdiff header; null until the full backup. */
  deviceUuid: string | null;
  sizeBytes: number | null;
  /** Base image state: `<b>`, or `<b-->e>` while an apply runs. */
  base: { b: GidSnap; e?: GidSnap };
  /** UTC time of the base snapshot (of the full backup, or of the last diff applied). */
  baseTimestamp: string | null;
  /** Gids an operator or schedule asked for; merge keeps them. */
  explicitSnapshots: number[];
  /** While the base is `<b-->e>`: the diff files being applied, in order. */
  applying: string[] | null;
  /** While a merge commits: its output name and the inputs it replaces. */
  merging: { output: string; inputs: string[] } | null;
  /** Restores under way: where their temporary image is. */
  restoring: { gid: number; path: string; tmp: string; pid: number }[];
  restored: ObservedRestored[];
  /** Id of the full backup that made the base (so a re-run storage can tell it landed). */
  fullBackupId: string | null;
  /** Actions running now (WalB's action counters), with the process that runs them. */
  actions: RunningAction[];
  createdAt: string;
  /** Diffs the check found corrupt and moved into `set-aside/` (diff-check.ts); absent: none. */
  setAside?: SetAsideDiff[];
}

export async function readArchiveMeta(path: string): Promise<ArchiveMeta> {
  return readChecked<ArchiveMeta>(path, {
    state: oneOf('Clear', 'SyncReady', 'Archived', 'Stopped'),
    uuid: isString,
    deviceUuid: isStringOrNull,
    sizeBytes: isCountOrNull,
    base: isObject,
    explicitSnapshots: isArray,
    restoring: isArray,
    restored: isArray,
    actions: isArray,
    baseTimestamp: isStringOrNull,
    fullBackupId: isStringOrNull,
  });
}

export async function writeArchiveMeta(path: string, meta: ArchiveMeta): Promise<void> {
  await writeJson(path, meta);
}
