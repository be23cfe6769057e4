/**
 * The storage volume's metadata: uuid (made at init, carried in every wdiff header), state, device,
 * the snapshot the hash index describes, and the journal entry (`pending`) of a backup or snapshot
 * that has produced its files but not yet handed them to the archive. Written atomically only.
 */
import type { GidSnap, StorageState } from '../../../common/observed.js';
import type { DiffName } from '../archive/diff-name.js';
import { isBool, isCount, isCountOrNull, isString, oneOf, readChecked, writeJson } from '../archive/json-file.js';

export interface PendingFull {
  op: 'full-backup';
  id: string;
  snap: GidSnap;
  indexTmp: string;
  archiveDataDir: string;
}

export interface PendingDiff {
  op: 'snapshot' | 'hash-backup';
  gid: number;
  diff: DiffName;
  diffTmp: string;
  indexTmp: string;
  explicit: boolean;
  archiveDataDir: string;
}

export interface StorageMeta {
  formatVersion: 1;
  volume: string;
  state: StorageState;
  capture: 'scan';
  uuid: string;
  devicePath: string;
  sizeBytes: number;
  bulkSize: number;
  /** Newest gid taken, null before the first backup. */
  latestGid: number | null;
  /** The snapshot the hash index describes (the archive's image the next diff starts from). */
  indexSnap: GidSnap | null;
  /** Was that snapshot explicit? The next diff is then not mergeable. */
  indexExplicit: boolean;
  pending: PendingFull | PendingDiff | null;
  /** Id of the last full backup that landed in the archive. */
  fullBackupId?: string | null;
  createdAt: string;
}

export async function readStorageMeta(path: string): Promise<StorageMeta> {
  return readChecked<StorageMeta>(path, {
    state: oneOf('Clear', 'SyncReady', 'Stopped', 'Target', 'Standby'),
    uuid: isString,
    devicePath: isString,
    sizeBytes: isCount,
    bulkSize: isCount,
    latestGid: isCountOrNull,
    indexExplicit: isBool,
  });
}

export async function writeStorageMeta(path: string, meta: StorageMeta): Promise<void> {
  await writeJson(path, meta);
}
