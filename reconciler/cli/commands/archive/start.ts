import { startArchive } from '../../../../native/lib/archive/index.js';
import { parse } from '../../args.js';
import { defineCommand } from '../../command.js';
import { dataDirFrom, hostHelp, hostOptions, printJson } from './_common.js';

export default defineCommand({
  summary: 'start a stopped archive volume (Stopped → Archived)',
  help: `Usage: walbctl archive start VOL [--json]

Starts the volume again; an apply that was interrupted is finished first.

Options:
${hostHelp}`,
  async run(args, io) {
    const { values, positionals } = parse(args, hostOptions, { command: 'archive start', minPositionals: 1, maxPositionals: 1 });
    const vol = positionals[0]!;
    await startArchive(dataDirFrom(values, io), vol);
    if (values.json) printJson(io, { volume: vol, state: 'Archived' });
    else io.stdout(`${vol}: Archived\n`);
    return 0;
  },
});
