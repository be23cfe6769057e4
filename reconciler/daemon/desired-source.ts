/**
 * Loads the desired state from the daemon's working copy. For a local repository (`--repo .`) the
 * relative paths of the tree (data directory, images, restores) name places in that repository, not
 * in the daemon's clone of it: they are moved back under the repository's path, so the daemon, `walbctl
 * apply` and `walbctl show observed` run from the checkout all see the same data.
 */
import { join, sep } from 'node:path';

import type { DesiredHost, DesiredState } from '../model/desired.js';

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
    if (host.wire) for (const k of ['ca', 'cert', 'key'] as const) host.wire.tls[k] = rebase(host.wire.tls[k], from, to);
    for (const volume of Object.values(host.volumes)) {
      volume.device.path = rebase(volume.device.path, from, to);
      for (const r of volume.restores) r.path = rebase(r.path, from, to);
    }
  }
  return copy;
}

/** A revision that validated: the state the daemon converges to. */
export interface GoodRevision {
  state: DesiredState;
  host: DesiredHost;
  revision: string;
}

/**
 * Loads the tree the working copy holds at `revision` for `host`: the state to converge to, or the
 * diagnostics (one line each) that keep the daemon from acting on it. Paths of a local repository
 * are moved from the working copy back into it.
 */
export async function loadCheckedOut(
  load: DesiredLoader,
  options: { workdir: string; tree: string; host: string; revision: string; repoPath: string | null },
): Promise<{ good: GoodRevision; errors: [] } | { good: null; errors: string[] }> {
  const loaded = await load(join(options.workdir, options.tree), options.host);
  const host = loaded.state?.hosts[options.host];
  if (loaded.errors.length > 0 || !loaded.state) return { good: null, errors: loaded.errors.length > 0 ? loaded.errors : ['the tree did not load'] };
  if (!host) return { good: null, errors: [`hosts/${options.host}.yaml: error: host "${options.host}" is not in the tree`] };
  let state: DesiredState = { ...loaded.state, revision: options.revision };
  if (options.repoPath) state = rebaseDesiredState(state, options.workdir, options.repoPath);
  return { good: { state, host: state.hosts[options.host], revision: options.revision }, errors: [] };
}
