/**
 * The desired state of one host, loaded from a tree for the commands that act on a host (apply,
 * unlock, show observed, status): the host's data directory, driver and daemon address come from it.
 */
import { UsageError } from '../../common/errors.js';
import type { DesiredHost, DesiredState } from '../model/desired.js';
import { loadDesiredTree } from '../plan/io/desired.js';

export interface HostContext {
  desired: DesiredState;
  host: DesiredHost;
}

export async function loadHostContext(dir: string, hostName: string): Promise<HostContext> {
  const desired = await loadDesiredTree(dir, { host: hostName });
  const host = desired.hosts[hostName];
  if (!host) throw new UsageError(`host ${hostName} is not declared in ${dir} (no hosts/${hostName}.yaml)`);
  return { desired, host };
}

/** Every host of the tree (for commands run without --host). */
export async function loadAllHosts(dir: string): Promise<DesiredState> {
  return loadDesiredTree(dir);
}
