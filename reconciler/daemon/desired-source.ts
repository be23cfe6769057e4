/**
 * Loads the desired state from the daemon's working copy. For a local repository (`--repo .`) the
 * relative paths of the tree (data directory, images, restores) name places in that repository, not
 * in the daemon's clone of it: they are moved back under the repository's path, so the daemon, `walbctl
 * apply` and `walbctl show observed` run from the checkout all see the same data.
 */
import { sep } from 'node:path';

import type { DesiredState } from '../model/desired.js';

export interface LoadResult {
  state: DesiredState | null;
  /** Error diagnostics, one line each (warnings are not here); non-empty means "does not validate". */
  errors: string[];
}

/** How the daemon loads a tree: `loadDesiredState` in production, a stand-in in tests. */
export type DesiredLoader = (dir: string, host: string) => Promise<LoadResult>;

function rebase(path: string, from: string, to: string): string {
  return path === from ? to : path.startsWith(from + sep) ? to + path.slice(from.length) : path;
}

/** Moves every absolute path of `state` under `from` to the same place under `to`. */
export function rebaseDesiredState(state: DesiredState, from: string, to: string): DesiredState {
  const copy = structuredClone(state);
  for (const host of Object.values(copy.hosts)) {
    host.dataDir = rebase(host.dataDir, from, to);
    for (const volume of Object.values(host.volumes)) {
      volume.device.path = rebase(volume.device.path, from, to);
      for (const r of volume.restores) r.path = rebase(r.path, from, to);
    }
  }
  return copy;
}
