/**
 * A declared restore on a walb-archive. walb-archive restores a snapshot to an LV of its own naming,
 * `/dev/VG/wr_VOL_GID`, not to the path the tree declares; so the walb driver makes the declared path
 * a symbolic link to that LV (written beside it and renamed into place), observes a link that points
 * at one of the volume's restored LVs as the image at the declared path (when the link was made is
 * its time), and removes the link with the image. An LV no declared path links to is reported at its
 * own path: an operator's restore, left alone. The link is meaningful on the archive's own host
 * (where walbctl then runs, walbc talking to the local walb-archive).
 */
import { lstatSync, mkdirSync, readlinkSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { dirname } from 'node:path';

import { StateError } from '../../../common/errors.js';
import type { ObservedRestored } from '../../../common/observed.js';

/** The LV walb-archive restores `gid` of `vol` to. */
export function restoredLvPath(volumeGroup: string, vol: string, gid: number): string {
  return `/dev/${volumeGroup}/wr_${vol}_${gid}`;
}

function linkTarget(path: string): string | null {
  try {
    return lstatSync(path).isSymbolicLink() ? readlinkSync(path) : null;
  } catch {
    return null;
  }
}

/** WalB's restored LVs as the planner sees them: those a declared path links to, at that path. */
export function linkRestored(lvs: readonly ObservedRestored[], declaredPaths: readonly string[]): ObservedRestored[] {
  const linked = new Map<string, ObservedRestored>();
  for (const path of declaredPaths) {
    const target = linkTarget(path);
    const lv = target === null ? undefined : lvs.find((i) => i.path === target);
    if (lv) linked.set(lv.path, { ...lv, path, createdAt: lstatSync(path).mtime.toISOString().replace(/\.\d+Z$/, 'Z') });
  }
  return lvs.map((lv) => linked.get(lv.path) ?? lv);
}

/** Makes `path` a link to `lv` (replacing an older link there); refuses to replace anything else. */
export function linkImage(path: string, lv: string): void {
  if (path === lv) return;
  let existing: ReturnType<typeof lstatSync> | null = null;
  try {
    existing = lstatSync(path);
  } catch {
    // nothing there yet
  }
  if (existing && !existing.isSymbolicLink()) throw new StateError(`${path} exists and is not a link walbctl made: the restore of ${lv} is not linked there (move it away, or declare another path)`);
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.walbctl-link`;
  rmSync(tmp, { force: true });
  symlinkSync(lv, tmp);
  renameSync(tmp, path);
}

/** The LV `path` links to, or null when it is no link. */
export function linkedLv(path: string): string | null {
  return linkTarget(path);
}

export function unlinkImage(path: string): void {
  if (linkTarget(path) !== null) rmSync(path, { force: true });
}
