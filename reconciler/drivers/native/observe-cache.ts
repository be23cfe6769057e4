/**
 * Observation of an idle volume costs one stat: the data path replaces its files by rename (metadata,
 * hash index, diffs), so a volume folder whose mtime and ctime did not move holds what it held at the
 * last observation. A volume with a running action is always read again (the action's process may
 * have ended without touching a file).
 * That stat is synchronous (common/stat-key.ts): a daemon makes it for every volume on every pass.
 */
import { readdir } from 'node:fs/promises';

import { statKey } from '../../../common/stat-key.js';
import { onceIn, type ObserveRound } from '../../observed/round.js';

export class ObserveCache<T> {
  private readonly entries = new Map<string, { key: string; value: T | undefined }>();

  /** `read()` unless `dir` is unchanged since the last read that `reuse(value)` allowed keeping. */
  async get(dir: string, read: () => Promise<T | undefined>, reuse: (value: T | undefined) => boolean): Promise<T | undefined> {
    const key = statKey(dir) ?? 'absent';
    const hit = this.entries.get(dir);
    if (hit && hit.key === key) return hit.value;
    const value = await read();
    if (reuse(value)) this.entries.set(dir, { key, value });
    else this.entries.delete(dir);
    return value;
  }
}

/** The names in `dir` (none when it does not exist), listed once per observation round. */
export function namesIn(round: ObserveRound | undefined, dir: string): Promise<ReadonlySet<string>> {
  return onceIn(round, `names:${dir}`, () =>
    readdir(dir).then(
      (names) => new Set(names),
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return new Set<string>();
        throw error;
      },
    ),
  );
}
