/**
 * A DesiredState from a JSON file, as `walbctl show desired --json` prints it (`walbctl plan --desired`),
 * checked at the fields the planner walks. Kept apart from the tree loader so planning from JSON does
 * not load the YAML and schema machinery.
 */

import { InputError } from '../../../common/errors.js';
import type { DesiredState } from '../../model/desired.js';
import { Checker, parseJsonText } from '../check.js';
import { readTextFile } from './read-text.js';

/** A DesiredState from JSON (`walbctl show desired --json`), checked at its top level. */
export async function readDesiredJson(file: string): Promise<DesiredState> {
  // One synchronous read (read-text.ts): the CLI has nothing else to do meanwhile, and fs/promises'
  // readFile reads a 30 MB fixture in chunks through the thread pool and a StringDecoder.
  let text: string;
  try {
    text = readTextFile(file);
  } catch (e) {
    const error = e as NodeJS.ErrnoException;
    throw new InputError(`cannot read the desired state: ${error.code ?? error.message}`, file, { cause: error });
  }
  const c = new Checker(file);
  const top = c.object(parseJsonText(text, file), '');
  c.string(top.root, 'root');
  c.string(top.revision, 'revision', true);
  for (const [name, raw] of Object.entries(c.object(top.hosts, 'hosts'))) {
    const h = c.object(raw, `hosts.${name}`);
    if (h.name !== name) c.fail(`hosts.${name}.name`, `expected "${name}" (the key), got ${JSON.stringify(h.name)}`);
    const volumes = c.object(h.volumes, `hosts.${name}.volumes`);
    for (const vname in volumes) {
      const v = volumes[vname] as Record<string, unknown> | null;
      // The field paths are built only for a volume that fails (10,000 volumes, three paths each).
      if (typeof v === 'object' && v !== null && !Array.isArray(v) && typeof v.address === 'string' && Array.isArray(v.archives)) continue;
      c.object(v, `hosts.${name}.volumes.${vname}`);
      c.string(v!.address, `hosts.${name}.volumes.${vname}.address`);
      c.array(v!.archives, `hosts.${name}.volumes.${vname}.archives`);
    }
  }
  return top as unknown as DesiredState;
}
