/**
 * One host file from parsed YAML to a checked, merged host: its templates applied (host templates,
 * then each volume's), the complete schema run over the result, and — when that passes — its
 * normalised DesiredHost. Hosts are independent up to here, so this runs in worker threads too.
 */
import type { DesiredHost } from '../model/desired.js';
import { schemaDiagnostics } from './check-schema.js';
import type { Diagnostic } from './diagnostic.js';
import type { ExtendsResolver } from './extends.js';
import { normaliseHost } from './normalise-host.js';
import { toPlain, type PMap, type PNode } from './node.js';
import type { RawHost } from './raw-types.js';
import { validators } from './schema.js';
import type { HostFile } from './tree.js';

export interface HostResult {
  name: string;
  file: string;
  raw: RawHost;
  /** True when the merged host passed the complete schema. */
  valid: boolean;
  /** The merged tree; left out when a worker thread sends the result back. */
  tree?: PMap;
  /** Parse, extends and schema problems of this host (not yet deduplicated against templates). */
  diagnostics: Diagnostic[];
  /** Normalised, when valid. */
  desired: DesiredHost | null;
}

/** The host file's tree with its templates applied; extends problems go to the resolver's list. */
export function mergeHost(root: PMap, resolver: ExtendsResolver): PMap {
  const host = resolver.apply('host', root, '');
  const volumes = host.entries.get('volumes');
  if (volumes?.kind === 'map') {
    const entries = new Map<string, PNode>();
    for (const [name, volume] of volumes.entries) entries.set(name, volume.kind === 'map' ? resolver.apply('volume', volume, `volumes.${name}`) : volume);
    host.entries.set('volumes', { ...volumes, entries });
  }
  return host;
}

export interface HostContext {
  /** Merges without `via` chains (fast); its extends problems are the ones reported. */
  resolver: ExtendsResolver;
  /** Merges with provenance, to locate schema problems; its own reports are dropped. */
  traced: ExtendsResolver;
  root: string;
  /** false skips building the DesiredHost (validate only needs the problems). */
  normalise: boolean;
}

/**
 * Merges and checks one host. The merge runs without provenance first; only a host that fails
 * the schema is merged again with it, so every problem still names where each value came from.
 */
export function processHost(file: HostFile, context: HostContext): HostResult | null {
  if (!file.root) return null;
  let tree = mergeHost(file.root, context.resolver);
  const raw = toPlain(tree) as RawHost;
  const complete = validators().completeHost;
  let diagnostics: Diagnostic[] = [];
  if (!complete(raw)) {
    tree = mergeHost(file.root, context.traced);
    diagnostics = schemaDiagnostics(complete, tree, { plain: raw });
  }
  const valid = diagnostics.length === 0;
  const result: HostResult = { name: file.name, file: file.file, raw, valid, tree, diagnostics, desired: null };
  if (valid && context.normalise) result.desired = normaliseHost({ name: file.name, raw, tree }, { root: context.root });
  return result;
}
