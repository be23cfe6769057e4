/**
 * loadDesiredState: a desired-state tree (hosts/, templates/) to one validated, normalised
 * DesiredState, or to the diagnostics that say why not. `state` is null whenever there is an
 * error. With `host`, the state holds that host and the hosts whose volumes name it (as proxy,
 * archive or replication end) — what that host's daemon needs; the whole tree is still checked.
 */
import type { DesiredHost, DesiredState } from '../model/desired.js';
import type { Diagnostic } from './diagnostic.js';
import { parallelRunner, threadsFor } from './parallel.js';
import { resolveTree, resolveTreeWith, type Resolved } from './resolve.js';
import { gitRevision } from './revision.js';

export type { Diagnostic } from './diagnostic.js';

export interface LoadResult {
  state: DesiredState | null;
  diagnostics: Diagnostic[];
}

/**
 * Loads the tree at `dir`. A big tree is spread over worker threads (`threads`: how many, 1 for
 * none; default: by the number of host files and cores).
 */
export async function loadDesiredState(dir: string, options: { host?: string; threads?: number } = {}): Promise<LoadResult> {
  const resolved = await resolveTreeWith(dir, (hosts) => parallelRunner(options.threads ?? threadsFor(hosts)), { normalise: true });
  return finishState(resolved, options);
}

/** The same on this thread only (for callers that cannot wait, and small trees). */

export function loadDesiredStateSync(dir: string, options: { host?: string } = {}): LoadResult {
  return finishState(resolveTree(dir), options);
}

function finishState({ root, fleet, diagnostics }: Resolved, options: { host?: string }): LoadResult {
  if (options.host !== undefined && !fleet.hosts.has(options.host)) {
    diagnostics.push({ file: `hosts/${options.host}.yaml`, line: 0, col: 0, path: '', message: `no host ${JSON.stringify(options.host)} in ${root}`, setIn: null, via: [] });
  }
  if (diagnostics.length > 0) return { state: null, diagnostics };
  const hosts: Record<string, DesiredHost> = {};
  for (const host of fleet.hosts.values()) hosts[host.name] = host.desired!;
  if (options.host === undefined) return { state: { root, revision: gitRevision(root), hosts }, diagnostics };
  return { state: { root, revision: gitRevision(root), hosts: involving(hosts, options.host), allHosts: Object.keys(hosts).sort() }, diagnostics };
}

/** The host and every host of the volumes it takes part in: its wire peers, replication ends included. */
function involving(hosts: Record<string, DesiredHost>, name: string): Record<string, DesiredHost> {
  // Every host of every volume this host takes part in (storage, proxy, archive, replication end):
  // an archive replicating a volume stored elsewhere needs the replica's address too.
  const peers = new Set<string>([name]);
  for (const host of Object.values(hosts)) {
    for (const v of Object.values(host.volumes)) {
      const ends = [v.host, ...v.proxies, ...v.archives.map((a) => a.host), ...v.replication.flatMap((r) => [r.from, r.to])];
      if (ends.includes(name)) for (const h of ends) peers.add(h);
    }
  }
  const out: Record<string, DesiredHost> = {};
  for (const host of Object.values(hosts)) if (peers.has(host.name)) out[host.name] = host;
  return out;
}
