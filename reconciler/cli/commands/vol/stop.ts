import { stopVolume } from '../../../../native/lib/storage/index.js';
import { parse } from '../../args.js';
import { defineCommand } from '../../command.js';
import { dataDirFrom, hostHelp, hostOptions, printJson } from '../archive/_common.js';

export default defineCommand({
  summary: 'stop a volume (Target → Stopped)',
  help: `Usage: walbctl vol stop VOL [--json]

Stops taking snapshots of the volume.

Options:
${hostHelp}`,
  async run(args, io) {
    const { values, positionals } = parse(args, hostOptions, { command: 'vol stop', minPositionals: 1, maxPositionals: 1 });
    const vol = positionals[0]!;
    await stopVolume(dataDirFrom(values, io), vol);
    if (values.json) printJson(io, { volume: vol, state: 'Stopped' });
    else io.stdout(`${vol}: Stopped\n`);
    return 0;
  },
});
