import { stopWdev } from '../../../../native/lib/wdev/stop.js';
import { parse } from '../../args.js';
import { defineCommand } from '../../command.js';
import { dataDir, dataDirHelp, dataDirOption, printJson } from './_common.js';

export default defineCommand({
  summary: 'stop serving a wdev (flush, checkpoint, unmount)',
  help: `Usage: walbctl wdev stop VOL [--force] [--data-dir DIR] [--json]

Stops the wdev's process: it flushes the log, brings the data device up to date and unmounts.
Refused while a loop device is attached, unless --force (which detaches it first; unmount file
systems on it before). Also cleans up the mount a killed server left behind.

Options:
  --force          detach the loop device first
${dataDirHelp}
  --json           print {"stopped"}`,
  async run(args, io) {
    const { values, positionals } = parse(args, { force: { type: 'boolean' }, json: { type: 'boolean' }, ...dataDirOption }, {
      command: 'wdev stop',
      minPositionals: 1,
      maxPositionals: 1,
    });
    const r = await stopWdev(dataDir(values, io), positionals[0]!, { force: values.force });
    if (values.json) printJson(io, r);
    else io.stdout(r.stopped ? `stopped ${positionals[0]}\n` : `${positionals[0]} was not served\n`);
    return 0;
  },
});
