import { observeStorage } from '../../../../native/lib/storage/index.js';
import { indexHealth } from '../../../../native/lib/storage/query.js';
import { storagePaths } from '../../../../native/lib/storage/layout.js';
import { parse } from '../../args.js';
import { defineCommand } from '../../command.js';
import { dataDirFrom, hostHelp, hostOptions, printJson } from '../archive/_common.js';

export default defineCommand({
  summary: "print a storage volume's state",
  help: `Usage: walbctl vol state VOL [--json]

Prints the storage state (Clear, SyncReady, Stopped, Target), capture mode, uuid, device, size,
the newest gid, and "overflow" with its reason when the hash index is lost (hash-index-lost) or
fails its checks (hash-index-damaged, with the file, byte and rule): only a hash backup recovers.
With --json, the ObservedStorage the reconciler sees (overflow, overflowReason).

Options:
${hostHelp}`,
  async run(args, io) {
    const { values, positionals } = parse(args, hostOptions, { command: 'vol state', minPositionals: 1, maxPositionals: 1 });
    const vol = positionals[0]!;
    const dataDir = dataDirFrom(values, io);
    const s = await observeStorage(dataDir, vol);
    if (values.json) printJson(io, s ?? { state: 'Clear' });
    else if (!s) io.stdout(`${vol}: Clear\n`);
    else {
      const detail = s.overflow && s.capture === 'scan' ? (await indexHealth(storagePaths(dataDir, vol).index)).detail : null;
      const why = s.overflowReason ? ` (${s.overflowReason}${detail ? `: ${detail}` : ''})` : '';
      io.stdout(`${vol}: ${s.state} (${s.capture}) uuid ${s.uuid}, ${s.devicePath}, ${s.sizeBytes} bytes, latest gid ${s.latestGid ?? '-'}${s.overflow ? `, overflow${why}: run a hash backup` : ''}\n`);
    }
    return 0;
  },
});
