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

/** A host file found but not read yet. */
export interface HostEntry {
  /** `hosts/NAME.yaml` */
  file: string;
  name: string;
}

const fileProblem = (file: string, message: string): Diagnostic => ({ file, line: 0, col: 0, path: '', message, setIn: null, via: [] });

/** The host files of the tree, in name order; problems with the folder go to `diagnostics`. */
export function listHosts(root: string, diagnostics: Diagnostic[]): HostEntry[] {
  const hostsDir = join(root, 'hosts');
  if (!existsSync(hostsDir) || !statSync(hostsDir).isDirectory()) {
    diagnostics.push(fileProblem('hosts/', `no hosts/ directory in ${root} (a desired-state tree holds hosts/NAME.yaml files)`));
    return [];
  }
  const out: HostEntry[] = [];
  for (const entry of readdirSync(hostsDir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const file = `hosts/${entry.name}`;
    if (entry.isDirectory()) continue;
    if (entry.name.endsWith('.yml')) diagnostics.push(fileProblem(file, 'host files end in .yaml; this file is ignored'));
    if (entry.name.endsWith('.yaml')) out.push({ file, name: entry.name.slice(0, -'.yaml'.length) });
  }
  return out;
}

export function readHost(root: string, entry: HostEntry): HostFile {
  return { ...readAndParse(root, entry.file), name: entry.name };
}

/** A file that cannot be read (permissions, a dangling link) is a problem of that file, not a crash. */
function readAndParse(root: string, file: string): ParsedFile {
  let text: string;
  try {
    text = readFileSync(join(root, file), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    return { file, root: null, diagnostics: [fileProblem(file, `cannot read the file (${code})`)] };
  }
  return parseFile(file, text);
}

/** Every template by `KIND/NAME`; parse problems and misplaced files go to `diagnostics`. */
export function readTemplates(root: string, diagnostics: Diagnostic[]): Map<string, TemplateFile> {
  const templates = new Map<string, TemplateFile>();
  const templatesDir = join(root, 'templates');
  for (const path of existsSync(templatesDir) ? walk(templatesDir) : []) {
    const file = relative(root, path).split(sep).join('/');
    if (file.endsWith('.yml')) diagnostics.push(fileProblem(file, 'template files end in .yaml; this file is ignored'));
    if (!file.endsWith('.yaml')) continue;
    const m = /^templates\/(host|volume)\/(.+)\.yaml$/.exec(file);
    if (!m) {
      diagnostics.push(fileProblem(file, 'a template lives under templates/host/ or templates/volume/'));
      continue;
    }
    const parsed = readAndParse(root, file);
    diagnostics.push(...parsed.diagnostics);
    templates.set(`${m[1]}/${m[2]}`, { ...parsed, kind: m[1] as TemplateKind, name: m[2] });
  }
  return templates;
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
