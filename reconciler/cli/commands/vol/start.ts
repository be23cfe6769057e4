import { startVolume } from '../../../../native/lib/storage/index.js';
import { parse } from '../../args.js';
import { defineCommand } from '../../command.js';
import { dataDirFrom, hostHelp, hostOptions, printJson } from '../archive/_common.js';

export default defineCommand({
  summary: 'start a stopped volume (Stopped → Target)',
  help: `Usage: walbctl vol start VOL [--json]

Resumes snapshots of the volume.

Options:
${hostHelp}`,
  async run(args, io) {
    const { values, positionals } = parse(args, hostOptions, { command: 'vol start', minPositionals: 1, maxPositionals: 1 });
    const vol = positionals[0]!;
    await startVolume(dataDirFrom(values, io), vol);
    if (values.json) printJson(io, { volume: vol, state: 'Target' });
    else io.stdout(`${vol}: Target\n`);
    return 0;
  },
});
