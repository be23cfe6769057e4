/**
 * The desired-state pipeline up to checked, merged hosts: read and parse every file, check each
 * template on its own (lenient: any key may be left out), resolve `extends`, check each merged
 * host in full, then run the semantic checks across the fleet. All problems are collected.
 *
 * A host file is checked once, merged: it is the last layer, so every value it sets is in the
 * merged host, and a problem there is reported at the host file's own line. A problem in a
 * template's value is reported once, at the template, not again for every host that uses it.
 */
import { resolve as resolvePath } from 'node:path';

import { checkNames } from './checks/names.js';
import { checkReplication } from './checks/replication.js';
import { checkRetention } from './checks/retention.js';
import { checkRoles } from './checks/roles.js';
import { checkPaths } from './checks/paths.js';
import { checkStorage } from './checks/storage.js';
import { sortDiagnostics, type Diagnostic } from './diagnostic.js';
import { ExtendsResolver } from './extends.js';
import { Fleet } from './fleet.js';
import { mergeHost, processHost, type HostResult } from './host-pipeline.js';
import { checkTemplates } from './templates.js';
import { listHosts, readHost, readTemplates, type HostEntry, type TemplateFile } from './tree.js';

export interface Resolved {
  root: string;
  fleet: Fleet;
  diagnostics: Diagnostic[];
}

/** Runs every host through `processHost`: here in order, or spread over threads by the caller. */
export type HostRunner = (root: string, entries: HostEntry[], options: HostOptions) => Promise<HostOutcome[]>;

export interface HostOptions {
  templates: Map<string, TemplateFile>;
  /** Build each valid host's DesiredHost too. */
  normalise: boolean;
}

/** A host's result, or — for a file that could not be parsed — its name and parse problems. */
export type HostOutcome = HostResult | { unreadable: string; diagnostics: Diagnostic[] };

/** Host results in file order; a host that did not parse is its parse diagnostics instead. */
export function processHostsHere(root: string, entries: HostEntry[], options: HostOptions): HostOutcome[] {
  const resolver = new ExtendsResolver(options.templates, [], { provenance: false });
  const traced = new ExtendsResolver(options.templates, []);
  return entries.map((entry) => {
    const file = readHost(root, entry);
    const sink: Diagnostic[] = [];
    const result = processHost(file, { resolver: resolver.withDiagnostics(sink), traced, root, normalise: options.normalise });
    if (!result) return { unreadable: file.name, diagnostics: file.diagnostics };
    result.diagnostics.push(...file.diagnostics, ...sink);
    // Keeping every merged tree would hold the whole fleet's YAML in memory (and make the garbage
    // collector walk it again and again); the fleet rebuilds the few it reports problems on.
    delete result.tree;
    return result;
  });
}

export function resolveTree(dir: string): Resolved {
  const root = resolvePath(dir);
  const { templates, entries, early } = start(root);
  return finish(root, templates, early, processHostsHere(root, entries, { templates, normalise: true }));
}

/** As resolveTree, with the hosts processed by `runner(entries.length)` (e.g. over threads). */
export async function resolveTreeWith(dir: string, runner: (hosts: number) => HostRunner, options: { normalise: boolean }): Promise<Resolved> {
  const root = resolvePath(dir);
  const { templates, entries, early } = start(root);
  return finish(root, templates, early, await runner(entries.length)(root, entries, { templates, normalise: options.normalise }));
}

function start(root: string): { templates: Map<string, TemplateFile>; entries: HostEntry[]; early: Diagnostic[] } {
  const early: Diagnostic[] = [];
  const entries = listHosts(root, early);
  const templates = readTemplates(root, early);
  early.push(...checkTemplates(templates));
  return { templates, entries, early };
}

function finish(root: string, templates: Map<string, TemplateFile>, early: Diagnostic[], results: HostOutcome[]): Resolved {
  const seen = new Set(early.map(key));
  const diagnostics = [...early];
  const hosts = new Map<string, HostResult>();
  const unreadable: string[] = [];
  for (const r of results) {
    if ('unreadable' in r) {
      diagnostics.push(...r.diagnostics);
      unreadable.push(r.unreadable);
      continue;
    }
    diagnostics.push(...r.diagnostics.filter((d) => !seen.has(key(d))));
    hosts.set(r.name, r);
  }
  const resolver = new ExtendsResolver(templates, []);
  const fleet = new Fleet(hosts, (host) => mergeHost(readHost(root, { file: host.file, name: host.name }).root!, resolver));
  for (const name of unreadable) fleet.unreadable.add(name);
  checkNames(fleet);
  checkRoles(fleet);
  checkStorage(fleet);
  checkPaths(fleet, { root });
  checkReplication(fleet);
  checkRetention(fleet);
  return { root, fleet, diagnostics: sortDiagnostics([...diagnostics, ...fleet.diagnostics]) };
}

/** Where the value at fault was written, and what is wrong with it: the same problem seen twice. */
function key(d: Diagnostic): string {
  const at = d.setIn ?? d;
  return `${at.file}:${at.line}:${at.col}\0${d.message}`;
}
