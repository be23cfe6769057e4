import { clearVolume } from '../../../../native/lib/storage/index.js';
import { parse } from '../../args.js';
import { defineCommand } from '../../command.js';
import { dataDirFrom, hostHelp, hostOptions, printJson } from '../archive/_common.js';

export default defineCommand({
  summary: "remove a volume's storage state (SyncReady → Clear)",
  help: `Usage: walbctl vol clear VOL [--json]

Removes the storage state of the volume (uuid, hash index); never the volume's data.

Options:
${hostHelp}`,
  async run(args, io) {
    const { values, positionals } = parse(args, hostOptions, { command: 'vol clear', minPositionals: 1, maxPositionals: 1 });
    const vol = positionals[0]!;
    await clearVolume(dataDirFrom(values, io), vol);
    if (values.json) printJson(io, { volume: vol, state: 'Clear' });
    else io.stdout(`${vol}: Clear\n`);
    return 0;
  },
});
