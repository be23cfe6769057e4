/**
 * What walbctl last applied on a host: the revision, when, and per volume a few marks the planner
 * compares with live state to report drift (a volume cleared by hand, an archive missing diffs).
 * Written atomically by the executor after each plan, read by observeHost.
 */
import { readFile } from 'node:fs/promises';
import { mkdir } from 'node:fs/promises';

import { InputError } from '../../common/errors.js';
import type { ObservedState } from '../../common/observed.js';
import { statePaths } from '../apply/state-paths.js';
import { atomicWriteFile } from '../../common/atomic-write.js';

export type LastApplied = NonNullable<ObservedState['lastApplied']>;

export async function readLastApplied(dataDir: string): Promise<LastApplied | null> {
  const file = statePaths(dataDir).lastApplied;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    const value = JSON.parse(text) as LastApplied;
    if (typeof value !== 'object' || value === null || typeof value.volumes !== 'object') throw new Error('not an object with "volumes"');
    return value;
  } catch (error) {
    throw new InputError(`unreadable last-applied record: ${(error as Error).message}`, file, { cause: error });
  }
}

/**
 * Records the marks of `observed` as what was last applied at `revision`; `protect` carries each
 * declared volume's protect flag so a later removal of a protected volume is refused.
 */
export async function writeLastApplied(dataDir: string, observed: ObservedState, options: { revision: string | null; protect: Record<string, boolean> }): Promise<LastApplied> {
  const revision = options.revision;
  const record: LastApplied = { revision, at: observed.observedAt, volumes: {} };
  for (const [name, v] of Object.entries(observed.volumes)) {
    record.volumes[name] = {
      initialized: v.storage !== undefined || v.archive !== undefined,
      diffCount: v.archive?.diffs.length ?? 0,
      latestGid: v.storage?.latestGid ?? null,
      protect: options.protect[name] ?? false,
    };
  }
  const paths = statePaths(dataDir);
  await mkdir(paths.dir, { recursive: true });
  await atomicWriteFile(paths.lastApplied, JSON.stringify(record, null, 2) + '\n');
  return record;
}
