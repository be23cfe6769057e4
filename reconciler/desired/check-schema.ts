/**
 * Runs one compiled schema over a tree and turns its errors into diagnostics at the right keys.
 */
import type { ValidateFunction } from './schema.js';

import type { Diagnostic } from './diagnostic.js';
import { diagnoseAt } from './locate.js';
import { toPlain, type PMap } from './node.js';
import { schemaProblem } from './schema-message.js';

/** `plain` is `toPlain(root)` when the caller has it already. */
export function schemaDiagnostics(validate: ValidateFunction, root: PMap, options: { plain?: unknown } = {}): Diagnostic[] {
  if (validate(options.plain ?? toPlain(root))) return [];
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const error of validate.errors ?? []) {
    const problem = schemaProblem(error);
    if (!problem) continue;
    const key = `${problem.segments.join('\0')}\0${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(diagnoseAt(root, problem.segments, problem.message, { atKey: problem.atKey }));
  }
  return out;
}
