/** The body of `wlog apply` and `wdiff apply` (the same operation: inputs are detected by header). */
import { resolve } from 'node:path';

import { applyLogs } from '../../../../native/lib/index.js';
import { parse } from '../../args.js';
import type { CliIO } from '../../command.js';
import { tornTail, tornTailLine } from '../wlog/_tail.js';
import { applyText, discardFlag, requireFlag } from './_shared.js';

export async function runApply(command: string, args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(
    args,
    { target: { type: 'string' }, discard: { type: 'string' }, json: { type: 'boolean' } },
    { command, minPositionals: 1 },
  );
  const target = resolve(io.cwd, requireFlag(values.target, '--target', command));
  const inputs = positionals.map((p) => resolve(io.cwd, p));
  const { lastWlog, ...result } = await applyLogs(inputs, target, { discard: discardFlag(values.discard, command) });
  const torn = await tornTail(inputs, lastWlog);
  if (torn) io.stderr(tornTailLine(torn));
  io.stdout(values.json ? JSON.stringify({ target, ...result, tornTail: torn }) + '\n' : applyText(result, target));
  return 0;
}
