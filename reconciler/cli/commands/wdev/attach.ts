import { attachWdev } from '../../../../native/lib/wdev/attach.js';
import { parse } from '../../args.js';
import { defineCommand } from '../../command.js';
import { dataDir, dataDirHelp, dataDirOption, printJson } from './_common.js';

export default defineCommand({
  summary: 'put a loop device on a served wdev, with a stable path',
  help: `Usage: walbctl wdev attach VOL [--no-direct-io] [--data-dir DIR] [--json]

Attaches a loop device to the served wdev file and points the stable symlink
<data-dir>/wdev/VOL/dev at it (use that path in fstab or a VM definition). Idempotent.

Options:
  --no-direct-io   attach with losetup --direct-io=off (default on)
${dataDirHelp}
  --json           print {"device", "link", "attached"}`,
  async run(args, io) {
    const { values, positionals } = parse(args, { 'no-direct-io': { type: 'boolean' }, json: { type: 'boolean' }, ...dataDirOption }, {
      command: 'wdev attach',
      minPositionals: 1,
      maxPositionals: 1,
    });
    const r = await attachWdev(dataDir(values, io), positionals[0]!, { directIo: !values['no-direct-io'] });
    if (values.json) printJson(io, r);
    else io.stdout(`${r.link} -> ${r.device}${r.attached ? '' : ' (already attached)'}\n`);
    return 0;
  },
});
