import { initArchiveVolume } from '../../../../native/lib/archive/index.js';
import { parse } from '../../args.js';
import { defineCommand } from '../../command.js';
import { dataDirFrom, hostHelp, hostOptions, printJson } from './_common.js';

export default defineCommand({
  summary: 'create an archive volume (Clear → SyncReady)',
  help: `Usage: walbctl archive init VOL [--data-dir DIR | --host-file FILE | --host NAME] [--json]

Creates the volume's folder under <data dir>/archive/VOL with a new archive uuid, in state
SyncReady; a full backup (walbctl vol full-backup) then makes it Archived.

Options:
${hostHelp}`,
  async run(args, io) {
    const { values, positionals } = parse(args, hostOptions, { command: 'archive init', minPositionals: 1, maxPositionals: 1 });
    const meta = await initArchiveVolume(dataDirFrom(values, io), positionals[0]!);
    if (values.json) printJson(io, { volume: meta.volume, state: meta.state, uuid: meta.uuid });
    else io.stdout(`${meta.volume}: SyncReady (archive uuid ${meta.uuid})\n`);
    return 0;
  },
});
