/**
 * Reading the desired state for the plan and diff commands: from a tree (through the desired-state
 * loader, reconciler/desired/load.ts) or from a JSON file as `walbctl show desired --json` prints it.
 * I/O lives here, apart from the pure planner.
 */
import { readFile } from 'node:fs/promises';

import { InputError, StateError } from '../../errors.js';
import type { DesiredState } from '../../model/desired.js';
import { Checker, parseJsonText } from '../check.js';

export class DesiredStateInvalid extends InputError {
  constructor(readonly dir: string, readonly lines: string[]) {
    super(`the desired state does not validate:\n${lines.join('\n')}`, dir);
  }
}

interface LoaderModule {
  loadDesiredState: (dir: string, options?: { host?: string }) => unknown;
}

/** Loads and validates the tree at `dir` (only `host`'s file and what it needs, when given). */
export async function loadDesiredTree(dir: string, options: { host?: string } = {}): Promise<DesiredState> {
  let mod: LoaderModule;
  try {
    mod = (await import(new URL('../../desired/load.js', import.meta.url).href)) as LoaderModule;
  } catch (error) {
    throw new StateError('the desired-state loader (reconciler/desired/load.ts) is not built yet: pass --desired FILE (a DesiredState as JSON) instead', { cause: error });
  }
  const result = (await mod.loadDesiredState(dir, options.host ? { host: options.host } : {})) as unknown;
  return unwrap(result, dir);
}

/** The loader may return the state itself or `{ state, diagnostics }`; diagnostics with errors fail. */
function unwrap(result: unknown, dir: string): DesiredState {
  const r = result as { state?: DesiredState | null; desired?: DesiredState | null; diagnostics?: unknown[]; hosts?: unknown };
  if (r && typeof r === 'object' && 'hosts' in r) return result as DesiredState;
  const diagnostics = (r?.diagnostics ?? []) as { file?: string; line?: number; col?: number; path?: string; message?: string; severity?: string }[];
  const errors = diagnostics.filter((d) => d.severity === undefined || d.severity === 'error');
  const state = r?.state ?? r?.desired ?? null;
  if (errors.length > 0 || !state) {
    const lines = errors.map((d) => `${d.file ?? dir}${d.line ? `:${d.line}:${d.col ?? 0}` : ''}: error: ${d.path ? `${d.path}: ` : ''}${d.message ?? String(d)}`);
    throw new DesiredStateInvalid(dir, lines.length > 0 ? lines : ['the loader returned no state']);
  }
  return state;
}

/** A DesiredState from JSON (`walbctl show desired --json`), checked at its top level. */
export async function readDesiredJson(file: string): Promise<DesiredState> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new InputError(`cannot read the desired state: ${error.code ?? error.message}`, file, { cause: error });
  });
  const c = new Checker(file);
  const top = c.object(parseJsonText(text, file), '');
  c.string(top.root, 'root');
  c.string(top.revision, 'revision', true);
  for (const [name, raw] of Object.entries(c.object(top.hosts, 'hosts'))) {
    const h = c.object(raw, `hosts.${name}`);
    if (h.name !== name) c.fail(`hosts.${name}.name`, `expected "${name}" (the key), got ${JSON.stringify(h.name)}`);
    for (const [vname, rawV] of Object.entries(c.object(h.volumes, `hosts.${name}.volumes`))) {
      const v = c.object(rawV, `hosts.${name}.volumes.${vname}`);
      c.string(v.address, `hosts.${name}.volumes.${vname}.address`);
      c.array(v.archives, `hosts.${name}.volumes.${vname}.archives`);
    }
  }
  return top as unknown as DesiredState;
}
