import { observeStorage } from '../../../../native/lib/storage/index.js';
import { parse } from '../../args.js';
import { defineCommand } from '../../command.js';
import { dataDirFrom, hostHelp, hostOptions, printJson } from '../archive/_common.js';

export default defineCommand({
  summary: "print a storage volume's state",
  help: `Usage: walbctl vol state VOL [--json]

Prints the storage state (Clear, SyncReady, Stopped, Target), capture mode, uuid, device, size,
the newest gid, and "overflow" when the hash index is lost (only a hash backup recovers). With
--json, the ObservedStorage the reconciler sees.

Options:
${hostHelp}`,
  async run(args, io) {
    const { values, positionals } = parse(args, hostOptions, { command: 'vol state', minPositionals: 1, maxPositionals: 1 });
    const vol = positionals[0]!;
    const s = await observeStorage(dataDirFrom(values, io), vol);
    if (values.json) printJson(io, s ?? { state: 'Clear' });
    else if (!s) io.stdout(`${vol}: Clear\n`);
    else io.stdout(`${vol}: ${s.state} (${s.capture}) uuid ${s.uuid}, ${s.devicePath}, ${s.sizeBytes} bytes, latest gid ${s.latestGid ?? '-'}${s.overflow ? ', overflow: run a hash backup' : ''}\n`);
    return 0;
  },
});
