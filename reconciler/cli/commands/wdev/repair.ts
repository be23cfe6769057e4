import { repairWdev } from '../../../../native/lib/wdev/repair.js';
import { UsageError } from '../../../../common/errors.js';
import { parse } from '../../args.js';
import { defineCommand } from '../../command.js';
import { dataDir, dataDirHelp, dataDirOption, printJson } from './_common.js';

export default defineCommand({
  summary: "repair a wdev's corrupt log device (the volume is then overflowed)",
  help: `Usage: walbctl wdev repair VOL --force [--data-dir DIR] [--json]

For a wdev that "walbctl wdev serve" refused because of a corrupt super sector or logpack: a corrupt
super sector is rebuilt from wdev.json; a corrupt logpack ends the log there, after the packs before
it are replayed onto the data device. Writes logged after the damage are lost, so the volume is
marked overflowed and the next "walbctl wdev backup VOL" is a hash backup. Refused while served.

Options:
  --force          required: log after the damage is discarded
${dataDirHelp}
  --json           print {"repaired", "overflow"}`,
  async run(args, io) {
    const { values, positionals } = parse(args, { force: { type: 'boolean' }, json: { type: 'boolean' }, ...dataDirOption }, {
      command: 'wdev repair',
      minPositionals: 1,
      maxPositionals: 1,
    });
    if (!values.force) throw new UsageError('wdev repair: log after the damage would be discarded; pass --force');
    const r = await repairWdev(dataDir(values, io), positionals[0]!);
    if (values.json) printJson(io, r);
    else io.stdout(`${positionals[0]}: ${r.repaired}${r.overflow ? ' (overflowed: run "walbctl wdev backup")' : ''}\n`);
    return 0;
  },
});
