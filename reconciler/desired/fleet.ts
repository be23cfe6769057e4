/**
 * The fleet after `extends` is resolved: one merged host per file, as plain values. The semantic
 * checks read the plain values and report through the merged trees, so each problem lands on the
 * file, line and column (and template chain) of the value at fault. Trees left behind in a worker
 * thread are rebuilt on demand, only for hosts that have a problem to report.
 */
import type { Role } from '../model/desired.js';
import type { Diagnostic } from './diagnostic.js';
import type { HostResult } from './host-pipeline.js';
import { diagnoseAt, type Segment } from './locate.js';
import type { PMap } from './node.js';
import type { RawVolume } from './raw-types.js';

export type ResolvedHost = HostResult;

export class Fleet {
  readonly diagnostics: Diagnostic[] = [];
  /** Hosts whose file exists but could not be read (their own problems are reported already). */
  readonly unreadable = new Set<string>();

  constructor(
    readonly hosts: Map<string, HostResult>,
    private readonly loadTree: (host: HostResult) => PMap,
  ) {}

  treeOf(host: HostResult): PMap {
    host.tree ??= this.loadTree(host);
    return host.tree;
  }

  report(host: HostResult, segments: Segment[], message: string): void {
    this.diagnostics.push(diagnoseAt(this.treeOf(host), segments, message));
  }

  roles(name: string): Role[] | null {
    const roles = this.hosts.get(name)?.raw.roles;
    return Array.isArray(roles) ? roles : null;
  }

  /** The valid hosts' volumes, in file order. */
  *volumes(): Generator<{ host: HostResult; name: string; volume: RawVolume }> {
    for (const host of this.hosts.values()) {
      if (!host.valid) continue;
      for (const [name, volume] of Object.entries(host.raw.volumes ?? {})) yield { host, name, volume };
    }
  }
}

export type Check = (fleet: Fleet) => void;
