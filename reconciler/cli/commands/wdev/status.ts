import { formatStatus, wdevStatus } from '../../../../native/lib/wdev/status.js';
import { parse } from '../../args.js';
import { defineCommand } from '../../command.js';
import { dataDir, dataDirHelp, dataDirOption, printJson } from './_common.js';

export default defineCommand({
  summary: "show a wdev's lsids, log usage, overflow, serving and attachment",
  help: `Usage: walbctl wdev status VOL [--data-dir DIR] [--json]

Prints the log's lsids (oldest: first not yet shipped; written: the data device holds everything
before it durably; permanent: the log is durable before it; latest: the next pack starts there), log
usage and capacity in physical blocks, overflow and its cause (ring-full, log-write-failed,
host-restarted, log-repaired, log-reformatted; overflowReason in --json), whether the volume is served
and attached.

Options:
${dataDirHelp}
  --json           print the same as JSON`,
  async run(args, io) {
    const { values, positionals } = parse(args, { json: { type: 'boolean' }, ...dataDirOption }, { command: 'wdev status', minPositionals: 1, maxPositionals: 1 });
    const s = await wdevStatus(dataDir(values, io), positionals[0]!);
    if (values.json) printJson(io, s);
    else io.stdout(formatStatus(s));
    return 0;
  },
});
