import { stopArchive } from '../../../../native/lib/archive/index.js';
import { parse } from '../../args.js';
import { defineCommand } from '../../command.js';
import { dataDirFrom, hostHelp, hostOptions, printJson } from './_common.js';

export default defineCommand({
  summary: 'stop an archive volume (Archived → Stopped)',
  help: `Usage: walbctl archive stop VOL [--json]

Stops the volume: it receives no diffs and allows no merge or apply until started.

Options:
${hostHelp}`,
  async run(args, io) {
    const { values, positionals } = parse(args, hostOptions, { command: 'archive stop', minPositionals: 1, maxPositionals: 1 });
    const vol = positionals[0]!;
    await stopArchive(dataDirFrom(values, io), vol);
    if (values.json) printJson(io, { volume: vol, state: 'Stopped' });
    else io.stdout(`${vol}: Stopped\n`);
    return 0;
  },
});
