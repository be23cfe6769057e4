import { detachWdev } from '../../../../native/lib/wdev/attach.js';
import { parse } from '../../args.js';
import { defineCommand } from '../../command.js';
import { dataDir, dataDirHelp, dataDirOption, printJson } from './_common.js';

export default defineCommand({
  summary: "remove a wdev's loop device and its stable path",
  help: `Usage: walbctl wdev detach VOL [--data-dir DIR] [--json]

Detaches the loop device attached by "walbctl wdev attach VOL" and removes the symlink
<data-dir>/wdev/VOL/dev. Unmount any file system on it first. Idempotent.

Options:
${dataDirHelp}
  --json           print {"device"} (null when nothing was attached)`,
  async run(args, io) {
    const { values, positionals } = parse(args, { json: { type: 'boolean' }, ...dataDirOption }, { command: 'wdev detach', minPositionals: 1, maxPositionals: 1 });
    const r = await detachWdev(dataDir(values, io), positionals[0]!);
    if (values.json) printJson(io, r);
    else io.stdout(r.device ? `detached ${r.device}\n` : 'nothing attached\n');
    return 0;
  },
});
