/**
 * Where the reconciler keeps its own state inside a host's data directory. The archive and storage
 * layouts belong to the data path (native/lib); everything the executor and the daemon write lives
 * under `<dataDir>/reconciler/`.
 */
import { join } from 'node:path';

import { memoPaths } from '../../common/memo-paths.js';

export interface StatePaths {
  dir: string;
  /** The host lock: who applies right now. */
  lock: string;
  /** The journal of the plan being applied (append-only, fsynced). */
  journal: string;
  /** What walbctl last applied (revision, per-volume marks) — the base for drift. */
  lastApplied: string;
  /** The daemon's status, written in one place on every path. */
  status: string;
  /** The files the reconciler created and may delete or overwrite (inventory.ts). */
  inventory: string;
  /** Every path a restore ever wrote, by the reconciler or an operator (restored-paths.ts). */
  restoredPaths: string;
}

const memo = memoPaths((dataDir: string) => buildStatePaths(dataDir));

/** The reconciler's state files in `dataDir` (memoised and frozen). */
export function statePaths(dataDir: string): Readonly<StatePaths> {
  return memo(dataDir, '');
}

function buildStatePaths(dataDir: string): StatePaths {
  const dir = join(dataDir, 'reconciler');
  return {
    dir,
    lock: join(dir, 'lock.json'),
    journal: join(dir, 'journal.jsonl'),
    lastApplied: join(dir, 'last-applied.json'),
    status: join(dir, 'status.json'),
    inventory: join(dir, 'inventory.json'),
    restoredPaths: join(dir, 'restored-paths.jsonl'),
  };
}
