import { resetArchive } from '../../../../native/lib/archive/index.js';
import { parse } from '../../args.js';
import { defineCommand } from '../../command.js';
import { dataDirFrom, hostHelp, hostOptions, printJson } from './_common.js';

export default defineCommand({
  summary: 'drop the base and every diff (SyncReady/Stopped → SyncReady)',
  help: `Usage: walbctl archive reset VOL [--json]

Deletes the base image and every diff and returns the volume to SyncReady, ready for a new full
backup. Restored images are kept.

Options:
${hostHelp}`,
  async run(args, io) {
    const { values, positionals } = parse(args, hostOptions, { command: 'archive reset', minPositionals: 1, maxPositionals: 1 });
    const vol = positionals[0]!;
    await resetArchive(dataDirFrom(values, io), vol);
    if (values.json) printJson(io, { volume: vol, state: 'SyncReady' });
    else io.stdout(`${vol}: SyncReady\n`);
    return 0;
  },
});
