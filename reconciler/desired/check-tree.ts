/**
 * What `walbctl validate` needs: every problem of a tree and how big it is, without building the
 * normalised DesiredState (a valid tree always normalises; loadDesiredState does that part).
 */
import type { Diagnostic } from './diagnostic.js';
import { parallelRunner, threadsFor } from './parallel.js';
import { resolveTreeWith } from './resolve.js';

export interface TreeCheck {
  diagnostics: Diagnostic[];
  hosts: number;
  volumes: number;
}

export async function checkTree(dir: string, options: { threads?: number } = {}): Promise<TreeCheck> {
  const { fleet, diagnostics } = await resolveTreeWith(dir, (hosts) => parallelRunner(options.threads ?? threadsFor(hosts)), { normalise: false });
  let volumes = 0;
  for (const host of fleet.hosts.values()) volumes += Object.keys(host.raw.volumes ?? {}).length;
  return { diagnostics, hosts: fleet.hosts.size, volumes };
}
