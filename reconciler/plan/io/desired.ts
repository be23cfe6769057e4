/**
 * Reading the desired state for the plan and diff commands: from a tree (through the desired-state
 * loader, reconciler/desired/load.ts) or from a JSON file as `walbctl show desired --json` prints it.
 * I/O lives here, apart from the pure planner.
 */
import { readFile } from 'node:fs/promises';

import { formatDiagnostic, sortDiagnostics } from '../../desired/diagnostic.js';
import { loadDesiredState } from '../../desired/load.js';
import { InputError } from '../../errors.js';
import type { DesiredState } from '../../model/desired.js';
import { Checker, parseJsonText } from '../check.js';

export class DesiredStateInvalid extends InputError {
  constructor(readonly dir: string, readonly lines: string[]) {
    super(`the desired state does not validate (${lines.length} problem${lines.length === 1 ? '' : 's'}):\n${lines.join('\n')}`, dir);
  }
}

/** Loads and validates the tree at `dir` (with `host`: that host and the hosts its volumes name). */
export async function loadDesiredTree(dir: string, options: { host?: string } = {}): Promise<DesiredState> {
  const { state, diagnostics } = await loadDesiredState(dir, options.host ? { host: options.host } : {});
  if (!state || diagnostics.length > 0) {
    const lines = sortDiagnostics(diagnostics).map(formatDiagnostic);
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
