import { resetVolume } from '../../../../native/lib/storage/index.js';
import { parse } from '../../args.js';
import { defineCommand } from '../../command.js';
import { dataDirFrom, hostHelp, hostOptions, printJson } from '../archive/_common.js';

export default defineCommand({
  summary: 'reset a stopped volume (Stopped → SyncReady)',
  help: `Usage: walbctl vol reset VOL [--json]

Drops the hash index; a full or hash backup follows.

Options:
${hostHelp}`,
  async run(args, io) {
    const { values, positionals } = parse(args, hostOptions, { command: 'vol reset', minPositionals: 1, maxPositionals: 1 });
    const vol = positionals[0]!;
    await resetVolume(dataDirFrom(values, io), vol);
    if (values.json) printJson(io, { volume: vol, state: 'SyncReady' });
    else io.stdout(`${vol}: SyncReady\n`);
    return 0;
  },
});
