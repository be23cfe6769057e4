/**
 * The fleet after `extends` is resolved: one merged tree per host, with its plain value. The
 * semantic checks read the plain values and report through the trees, so each problem lands on
 * the file, line and column (and template chain) of the value at fault.
 */
import type { Role } from '../model/desired.js';
import type { Diagnostic } from './diagnostic.js';
import { diagnoseAt, type Segment } from './locate.js';
import type { PMap } from './node.js';
import type { RawHost, RawVolume } from './raw-types.js';

export interface ResolvedHost {
  name: string;
  /** hosts/NAME.yaml */
  file: string;
  tree: PMap;
  raw: RawHost;
  /** True when the merged host passed the complete schema (the checks may trust its shape). */
  valid: boolean;
}

export class Fleet {
  readonly diagnostics: Diagnostic[] = [];

  constructor(readonly hosts: Map<string, ResolvedHost>) {}

  report(host: ResolvedHost, segments: Segment[], message: string): void {
    this.diagnostics.push(diagnoseAt(host.tree, segments, message));
  }

  roles(name: string): Role[] | null {
    const roles = this.hosts.get(name)?.raw.roles;
    return Array.isArray(roles) ? roles : null;
  }

  /** The valid hosts' volumes, in file order. */
  *volumes(): Generator<{ host: ResolvedHost; name: string; volume: RawVolume }> {
    for (const host of this.hosts.values()) {
      if (!host.valid) continue;
      for (const [name, volume] of Object.entries(host.raw.volumes ?? {})) yield { host, name, volume };
    }
  }
}

export type Check = (fleet: Fleet) => void;
