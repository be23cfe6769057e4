import { clearArchive } from '../../../../native/lib/archive/index.js';
import { parse } from '../../args.js';
import { defineCommand } from '../../command.js';
import { dataDirFrom, hostHelp, hostOptions, printJson } from './_common.js';

export default defineCommand({
  summary: 'remove an archive volume (SyncReady/Stopped → Clear)',
  help: `Usage: walbctl archive clear VOL [--json]

Removes the volume's folder: base, diffs and restored images.

Options:
${hostHelp}`,
  async run(args, io) {
    const { values, positionals } = parse(args, hostOptions, { command: 'archive clear', minPositionals: 1, maxPositionals: 1 });
    const vol = positionals[0]!;
    await clearArchive(dataDirFrom(values, io), vol);
    if (values.json) printJson(io, { volume: vol, state: 'Clear' });
    else io.stdout(`${vol}: Clear\n`);
    return 0;
  },
});
