import { formatWdev } from '../../../../native/lib/wdev/create.js';
import { UsageError } from '../../../../common/errors.js';
import { parse } from '../../args.js';
import { defineCommand } from '../../command.js';
import { dataDir, dataDirHelp, dataDirOption, printJson } from './_common.js';

export default defineCommand({
  summary: "reformat a wdev's log device (the volume is then overflowed)",
  help: `Usage: walbctl wdev format VOL --force [--data-dir DIR] [--json]

Rewrites the log device of VOL from wdev.json: a new super sector (same uuid and salt) and an empty
ring. The data device is kept. Logs not shipped yet are lost, so the volume is marked overflowed:
the next backup is a hash backup ("walbctl wdev backup VOL", or the one the reconciler plans). Refused
while VOL is served.

Options:
  --force          required: the unshipped log is discarded
${dataDirHelp}
  --json           print the resulting status as JSON`,
  async run(args, io) {
    const { values, positionals } = parse(args, { force: { type: 'boolean' }, json: { type: 'boolean' }, ...dataDirOption }, {
      command: 'wdev format',
      minPositionals: 1,
      maxPositionals: 1,
    });
    if (!values.force) throw new UsageError('wdev format: the unshipped log would be lost; pass --force');
    const r = await formatWdev(dataDir(values, io), positionals[0]!);
    if (values.json) printJson(io, r);
    else io.stdout(`formatted the log device of ${positionals[0]}; the volume is overflowed until a hash backup\n`);
    return 0;
  },
});
