/**
 * Reading the desired state for the plan and diff commands from a tree, through the desired-state
 * loader (reconciler/desired/load.ts), with its diagnostics as one error. I/O lives here, apart from
 * the pure planner. (From a JSON file: desired-json.ts.)
 */
import { formatDiagnostic, sortDiagnostics } from '../../desired/diagnostic.js';
import { loadDesiredState } from '../../desired/load.js';
import { InputError } from '../../../common/errors.js';
import type { DesiredState } from '../../model/desired.js';

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
