/**
 * Where an archive lives inside a host's data directory: `<dataDir>/archive/<vol>/` holds
 * `meta.json`, the base image `base.img` (a sparse file) and its checksums `base.sums`, the wdiff files (their names are the diff
 * list), `restored/` (default place of restored images), `set-aside/` (diffs the check found corrupt)
 * and the volume's short-held `lock`.
 * Files starting with `.tmp-` are temporary and never read as data.
 */
import { join } from 'node:path';

import { InputError } from '../../../common/errors.js';
import { memoPaths } from '../../../common/memo-paths.js';

export interface ArchivePaths {
  root: string;
  dir: string;
  meta: string;
  base: string;
  /** The base image's checksums (base-sums.md). */
  sums: string;
  lock: string;
  restoredDir: string;
}

const VOLUME_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Throws unless `vol` is safe as a file name (WalB volume ids are too). */
/** True for a name safe as a folder name (the same rule the desired state enforces). */
export function isVolumeName(vol: string): boolean {
  return VOLUME_NAME.test(vol) && !vol.includes('..');
}

export function checkVolumeName(vol: string): void {
  if (!isVolumeName(vol)) {
    throw new InputError(`volume name "${vol}" is not valid: use letters, digits, ".", "_", "-" (at most 128)`);
  }
}

/** The folder that holds every archive volume of a data directory. */
export function archiveRoot(dataDir: string): string {
  return join(dataDir, 'archive');
}

/** The paths of an archive volume (memoised and frozen: a pass asks for them many times). */
export const archivePaths = memoPaths(buildArchivePaths);

function buildArchivePaths(dataDir: string, vol: string): ArchivePaths {
  checkVolumeName(vol);
  const root = archiveRoot(dataDir);
  const dir = join(root, vol);
  return {
    root,
    dir,
    meta: join(dir, 'meta.json'),
    base: join(dir, 'base.img'),
    sums: join(dir, 'base.sums'),
    lock: join(dir, 'lock'),
    restoredDir: join(dir, 'restored'),
  };
}

/** Where the archive's check moves a corrupt diff out of the chain (diff-check.ts). */
export function setAsideDir(paths: ArchivePaths): string {
  return join(paths.dir, 'set-aside');
}

/** Default path of a restored image: WalB names it `wr_<vol>_<gid>`. */
export function defaultRestorePath(dataDir: string, vol: string, gid: number): string {
  return join(archivePaths(dataDir, vol).restoredDir, `wr_${vol}_${gid}.img`);
}
