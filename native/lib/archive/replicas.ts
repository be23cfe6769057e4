/**
 * Replica cursors of a sending archive (`replicas.json` beside `meta.json`): per target host, the gid
 * the last replication confirmed there (with its snapshot's time and the lineage it holds), when that
 * was, how it went (full, diff, hash), the last failed attempt, and a transfer under way. Retention on
 * this archive holds diffs back for each cursor (the planner's replica-hold policy); a cursor is
 * released when its pair leaves the tree. Read-modify-write under the volume's short lock, written
 * atomically; a missing file means no cursor.
 */
import { join } from 'node:path';

import { InputError } from '../../../common/errors.js';
import type { ObservedReplica } from '../../../common/observed.js';
import { isObject, readChecked, writeJson } from './json-file.js';
import { archivePaths } from './layout.js';
import { withLock } from './lock.js';

export const REPLICAS_FILE = 'replicas.json';

interface ReplicasFile {
  formatVersion: 1;
  volume: string;
  replicas: Record<string, ObservedReplica>;
}

function fileOf(dataDir: string, vol: string): string {
  return join(archivePaths(dataDir, vol).dir, REPLICAS_FILE);
}

/** Every cursor of `vol` on this host; {} when none was ever recorded. */
export async function readReplicaCursors(dataDir: string, vol: string): Promise<Record<string, ObservedReplica>> {
  const path = fileOf(dataDir, vol);
  let file: ReplicasFile;
  try {
    file = await readChecked<ReplicasFile>(path, { replicas: isObject });
  } catch (error) {
    if ((error as { cause?: NodeJS.ErrnoException }).cause?.code === 'ENOENT') return {};
    throw error;
  }
  const replicas = file.replicas;
  for (const [host, r] of Object.entries(replicas)) {
    const problem = replicaProblem(r);
    if (problem) throw new InputError(`replicas.${host}: ${problem}`, path);
  }
  return replicas;
}

function replicaProblem(r: unknown): string | null {
  if (isObject(r, '') !== null) return 'expected an object';
  const x = r as Record<string, unknown>;
  if (typeof x.gid !== 'number' || !Number.isSafeInteger(x.gid) || x.gid < 0) return 'field "gid": expected a non-negative integer';
  if (typeof x.timestamp !== 'string') return 'field "timestamp": expected a string';
  if (x.replicatedAt !== undefined && typeof x.replicatedAt !== 'string') return 'field "replicatedAt": expected a string';
  if (x.uuid !== undefined && typeof x.uuid !== 'string') return 'field "uuid": expected a string';
  return null;
}

/** Changes the cursor of `to` under the volume's lock: `fn` returns the new record, or undefined to remove it. */
export async function updateReplicaCursor(
  dataDir: string,
  vol: string,
  to: string,
  fn: (current: ObservedReplica | undefined) => ObservedReplica | undefined,
): Promise<ObservedReplica | undefined> {
  const paths = archivePaths(dataDir, vol);
  return withLock(paths.lock, async () => {
    const replicas = await readReplicaCursors(dataDir, vol);
    const next = fn(replicas[to]);
    if (next === undefined) {
      if (!(to in replicas)) return undefined;
      delete replicas[to];
    } else replicas[to] = next;
    const file: ReplicasFile = { formatVersion: 1, volume: vol, replicas };
    await writeJson(fileOf(dataDir, vol), file);
    return next;
  }, { volume: vol, operation: 'replica-cursor' });
}

export interface Confirmation {
  gid: number;
  /** Time of the snapshot at `gid` (UTC, ISO 8601). */
  timestamp: string;
  uuid: string;
  kind: 'full' | 'diff' | 'hash';
  /** When the replication finished; default now. */
  at?: string;
}

/** Records that `to` holds `gid` (after the receiver acknowledged it): the cursor moves, the error clears. */
export async function confirmReplica(dataDir: string, vol: string, to: string, c: Confirmation): Promise<ObservedReplica> {
  const record: ObservedReplica = { gid: c.gid, timestamp: c.timestamp, replicatedAt: c.at ?? new Date().toISOString(), uuid: c.uuid, lastKind: c.kind, lastError: null, transfer: null };
  return (await updateReplicaCursor(dataDir, vol, to, () => record))!;
}

/** Records a failed attempt; the cursor stays where it was (a target without a cursor gets none). */
export async function recordReplicaError(dataDir: string, vol: string, to: string, message: string, at = new Date().toISOString()): Promise<void> {
  await updateReplicaCursor(dataDir, vol, to, (cur) => (cur ? { ...cur, lastError: { message, at }, transfer: null } : undefined));
}

/** Forgets the cursor of `to` (its pair left the tree); false when there was none. */
export async function releaseReplica(dataDir: string, vol: string, to: string): Promise<boolean> {
  const had = to in (await readReplicaCursors(dataDir, vol));
  if (had) await updateReplicaCursor(dataDir, vol, to, () => undefined);
  return had;
}
