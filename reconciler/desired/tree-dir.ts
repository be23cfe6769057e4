/** The tree directory a command names: DIR as given (absolute, or from `cwd`), default `cwd`. */
import { isAbsolute, resolve } from 'node:path';

export function treeDir(dir: string | undefined, cwd: string): string {
  if (dir === undefined) return cwd;
  return isAbsolute(dir) ? dir : resolve(cwd, dir);
}
