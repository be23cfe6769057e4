/**
 * The desired-state pipeline up to checked, merged trees: read and parse every file, check each
 * file on its own (lenient: templates may supply any key), resolve `extends`, check each merged
 * host in full, then run the semantic checks across the fleet. All problems are collected.
 */
import { resolve as resolvePath } from 'node:path';

import { checkNames } from './checks/names.js';
import { checkReplication } from './checks/replication.js';
import { checkRetention } from './checks/retention.js';
import { checkRoles } from './checks/roles.js';
import { checkStorage } from './checks/storage.js';
import { schemaDiagnostics } from './check-schema.js';
import { sortDiagnostics, type Diagnostic } from './diagnostic.js';
import { ExtendsResolver } from './extends.js';
import { Fleet, type ResolvedHost } from './fleet.js';
import { diagnoseAt } from './locate.js';
import { toPlain, type PMap, type PNode } from './node.js';
import type { RawHost } from './raw-types.js';
import { validators } from './schema.js';
import { readTree, type Tree } from './tree.js';

export interface Resolved {
  root: string;
  tree: Tree;
  fleet: Fleet;
  diagnostics: Diagnostic[];
}

export function resolveTree(dir: string): Resolved {
  const root = resolvePath(dir);
  const tree = readTree(root);
  const v = validators();
  const perFile: Diagnostic[] = [...tree.diagnostics];
  for (const host of tree.hosts) if (host.root) perFile.push(...schemaDiagnostics(v.host, host.root));
  for (const t of tree.templates.values()) {
    if (!t.root) continue;
    perFile.push(...schemaDiagnostics(t.kind === 'host' ? v.host : v.volume, t.root));
    if (t.kind === 'host' && t.root.entries.has('host')) perFile.push(diagnoseAt(t.root, ['host'], "a template cannot set host (a host's name is its file's name)"));
  }
  const resolver = new ExtendsResolver(tree.templates, perFile);
  const seen = new Set(perFile.map(key));
  const merged: Diagnostic[] = [];
  const hosts = new Map<string, ResolvedHost>();
  for (const file of tree.hosts) {
    if (!file.root) continue;
    const host = resolver.apply('host', file.root, '');
    const volumes = host.entries.get('volumes');
    if (volumes?.kind === 'map') {
      const entries = new Map<string, PNode>();
      for (const [name, volume] of volumes.entries) entries.set(name, volume.kind === 'map' ? resolver.apply('volume', volume, `volumes.${name}`) : volume);
      host.entries.set('volumes', { ...volumes, entries });
    }
    const complete = schemaDiagnostics(v.completeHost, host);
    merged.push(...complete.filter((d) => !seen.has(key(d))));
    hosts.set(file.name, { name: file.name, file: file.file, tree: host, raw: toPlain(host) as RawHost, valid: complete.length === 0 });
  }
  const fleet = new Fleet(hosts);
  checkNames(fleet);
  checkRoles(fleet);
  checkStorage(fleet, { root });
  checkReplication(fleet);
  checkRetention(fleet);
  return { root, tree, fleet, diagnostics: sortDiagnostics([...perFile, ...merged, ...fleet.diagnostics]) };
}

/** Where the value at fault was written, and what is wrong with it: the same problem seen twice. */
function key(d: Diagnostic): string {
  const at = d.setIn ?? d;
  return `${at.file}:${at.line}:${at.col}\0${d.message}`;
}

export type { PMap };
