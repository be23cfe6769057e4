import { observeArchive } from '../../../../native/lib/archive/index.js';
import { formatBase } from '../../../../native/lib/archive/gid.js';
import { parse } from '../../args.js';
import { defineCommand } from '../../command.js';
import { dataDirFrom, hostHelp, hostOptions, printJson } from './_common.js';

export default defineCommand({
  summary: "print an archive volume's state",
  help: `Usage: walbctl archive state VOL [--json]

Prints the archive's state (Clear, SyncReady, Archived, Stopped), its base <B> or <B-->E>, the
number of diffs and restorable snapshots, and the action running now. With --json, the whole
ObservedArchive the reconciler sees.

Options:
${hostHelp}`,
  async run(args, io) {
    const { values, positionals } = parse(args, hostOptions, { command: 'archive state', minPositionals: 1, maxPositionals: 1 });
    const vol = positionals[0]!;
    const a = await observeArchive(dataDirFrom(values, io), vol);
    if (values.json) printJson(io, a ?? { state: 'Clear' });
    else if (!a) io.stdout(`${vol}: Clear\n`);
    else {
      const busy = a.busy ? `, running: ${a.busy}` : '';
      io.stdout(`${vol}: ${a.state} base ${formatBase(a.base)}, ${a.diffs.length} diff(s), ${a.restorable.length} restorable, ${a.restored.length} restored${busy}\n`);
    }
    return 0;
  },
});
