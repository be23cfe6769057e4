/**
 * Which archive operations each state allows, and which running actions exclude each other, as
 * WalB's archive does: restore excludes restore/resize; apply and replication (as client) exclude
 * restore/replication/apply/merge/resize; merge excludes apply/merge/resize. The relation is
 * symmetric. Lifecycle operations (init, full backup, stop, start, reset, clear, recover) exclude
 * everything.
 */
import type { ArchiveState } from '../../../common/observed.js';

export type ArchiveOp =
  | 'init'
  | 'full-backup'
  | 'hash-backup'
  | 'receive-diff'
  | 'restore'
  | 'del-restored'
  | 'merge'
  | 'apply'
  | 'replicate'
  | 'resize'
  | 'verify'
  | 'set-snapshot'
  | 'stop'
  | 'start'
  | 'reset'
  | 'clear'
  | 'recover';

export const ALLOWED_STATES: Record<ArchiveOp, readonly ArchiveState[]> = {
  init: ['Clear'],
  'full-backup': ['SyncReady'],
  'hash-backup': ['Archived'],
  'receive-diff': ['Archived'],
  restore: ['Archived', 'Stopped'],
  'del-restored': ['SyncReady', 'Archived', 'Stopped'],
  merge: ['Archived'],
  apply: ['Archived'],
  replicate: ['Archived'],
  resize: ['Archived', 'Stopped'],
  verify: ['SyncReady', 'Archived', 'Stopped'],
  'set-snapshot': ['Archived', 'Stopped'],
  stop: ['Archived'],
  start: ['Stopped'],
  reset: ['SyncReady', 'Stopped'],
  clear: ['SyncReady', 'Stopped'],
  recover: ['SyncReady', 'Archived', 'Stopped'],
};

const EXCLUSIVE: readonly ArchiveOp[] = ['init', 'full-backup', 'stop', 'start', 'reset', 'clear', 'recover'];

const EXCLUDES: Partial<Record<ArchiveOp, readonly ArchiveOp[]>> = {
  restore: ['restore', 'resize'],
  apply: ['restore', 'replicate', 'apply', 'merge', 'resize', 'verify', 'hash-backup', 'set-snapshot'],
  replicate: ['restore', 'replicate', 'apply', 'merge', 'resize'],
  merge: ['apply', 'merge', 'resize', 'verify', 'set-snapshot'],
  'hash-backup': ['hash-backup', 'receive-diff'],
  'receive-diff': ['receive-diff'],
  'del-restored': ['restore', 'del-restored'],
};

/** True when `a` and `b` may not run at the same time on one volume. */
export function excludes(a: ArchiveOp, b: ArchiveOp): boolean {
  if (EXCLUSIVE.includes(a) || EXCLUSIVE.includes(b)) return true;
  return Boolean(EXCLUDES[a]?.includes(b) || EXCLUDES[b]?.includes(a));
}
