/**
 * Finds and parses the files of a desired-state tree: `hosts/NAME.yaml` (one per host, the stem is
 * the host's name) and `templates/host/**.yaml`, `templates/volume/**.yaml` (a template's name is
 * its path under its kind's folder, without `.yaml`).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

import type { Diagnostic } from './diagnostic.js';
import { parseFile, type ParsedFile } from './parse-file.js';

export type TemplateKind = 'host' | 'volume';

export interface HostFile extends ParsedFile {
  /** The file's stem. */
  name: string;
}

export interface TemplateFile extends ParsedFile {
  kind: TemplateKind;
  /** Path under `templates/KIND/` without `.yaml`, e.g. `gold` or `tier/gold`. */
  name: string;
}

export interface Tree {
  root: string;
  hosts: HostFile[];
  /** By `KIND/NAME`. */
  templates: Map<string, TemplateFile>;
  diagnostics: Diagnostic[];
}

const fileProblem = (file: string, message: string): Diagnostic => ({ file, line: 0, col: 0, path: '', message, setIn: null, via: [] });

export function readTree(root: string): Tree {
  const tree: Tree = { root, hosts: [], templates: new Map(), diagnostics: [] };
  const hostsDir = join(root, 'hosts');
  if (!existsSync(hostsDir) || !statSync(hostsDir).isDirectory()) {
    tree.diagnostics.push(fileProblem('hosts/', `no hosts/ directory in ${root} (a desired-state tree holds hosts/NAME.yaml files)`));
    return tree;
  }
  for (const entry of readdirSync(hostsDir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const file = `hosts/${entry.name}`;
    if (entry.isDirectory()) continue;
    if (entry.name.endsWith('.yml')) tree.diagnostics.push(fileProblem(file, 'host files end in .yaml; this file is ignored'));
    if (!entry.name.endsWith('.yaml')) continue;
    const name = entry.name.slice(0, -'.yaml'.length);
    tree.hosts.push({ ...parseFile(file, readFileSync(join(hostsDir, entry.name), 'utf8')), name });
  }
  const templatesDir = join(root, 'templates');
  for (const path of existsSync(templatesDir) ? walk(templatesDir) : []) {
    const file = relative(root, path).split(sep).join('/');
    if (file.endsWith('.yml')) tree.diagnostics.push(fileProblem(file, 'template files end in .yaml; this file is ignored'));
    if (!file.endsWith('.yaml')) continue;
    const m = /^templates\/(host|volume)\/(.+)\.yaml$/.exec(file);
    if (!m) {
      tree.diagnostics.push(fileProblem(file, 'a template lives under templates/host/ or templates/volume/'));
      continue;
    }
    const kind = m[1] as TemplateKind;
    tree.templates.set(`${kind}/${m[2]}`, { ...parseFile(file, readFileSync(path, 'utf8')), kind, name: m[2] });
  }
  for (const f of [...tree.hosts, ...tree.templates.values()]) tree.diagnostics.push(...f.diagnostics);
  return tree;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(path));
    else out.push(path);
  }
  return out.sort();
}
