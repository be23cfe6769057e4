/**
 * Observation of an idle volume costs one stat: the data path replaces its files by rename (metadata,
 * hash index, diffs), so a volume folder whose mtime and ctime did not move holds what it held at the
 * last observation. A volume with a running action is always read again (the action's process may
 * have ended without touching a file).
 */
import { stat } from 'node:fs/promises';

export class ObserveCache<T> {
  private readonly entries = new Map<string, { key: string; value: T | undefined }>();

  /** `read()` unless `dir` is unchanged since the last read that `reuse(value)` allowed keeping. */
  async get(dir: string, read: () => Promise<T | undefined>, reuse: (value: T | undefined) => boolean): Promise<T | undefined> {
    const key = await stat(dir).then(
      (s) => `${s.mtimeMs}:${s.ctimeMs}:${s.ino}`,
      () => 'absent',
    );
    const hit = this.entries.get(dir);
    if (hit && hit.key === key) return hit.value;
    const value = await read();
    if (reuse(value)) this.entries.set(dir, { key, value });
    else this.entries.delete(dir);
    return value;
  }
}
