import { resolve } from 'node:path';

import { backupWdev } from '../../../../native/lib/wdev/capture.js';
import { parse } from '../../args.js';
import { defineCommand } from '../../command.js';
import { dataDir, dataDirHelp, dataDirOption, printJson } from './_common.js';

export default defineCommand({
  summary: 'full backup (first time) or hash backup (after an overflow) of a served wdev',
  help: `Usage: walbctl wdev backup VOL [--archive-data-dir DIR] [--compress TYPE] [--data-dir DIR] [--json]

Starts or restarts wdev capture of VOL. The log is restarted at its latest lsid, then the live
volume is scanned: into the archive's base when the archive has none (full backup, the archive is
initialised if needed), else against the archive's newest image, sending the bulks that differ as
a compared diff (hash backup: the way back from an overflow). The scanned image is the dirty
snapshot |g,g+1|; the log written during the scan is shipped at once as |g|-->|g+1|, so gid g+1 is
clean and restorable. From then on "walbctl wdev snapshot VOL" ships the log.

Options:
  --archive-data-dir DIR   the data directory holding the archive (default: the same as --data-dir)
  --compress TYPE          compression of the hash diff
${dataDirHelp}
  --json                   print the result as JSON`,
  async run(args, io) {
    const { values, positionals } = parse(
      args,
      { 'archive-data-dir': { type: 'string' }, compress: { type: 'string' }, json: { type: 'boolean' }, ...dataDirOption },
      { command: 'wdev backup', minPositionals: 1, maxPositionals: 1 },
    );
    const r = await backupWdev(dataDir(values, io), positionals[0]!, {
      ...(values['archive-data-dir'] ? { archiveDataDir: resolve(io.cwd, values['archive-data-dir']) } : {}),
      ...(values.compress ? { compression: values.compress } : {}),
    });
    if (values.json) printJson(io, r);
    else io.stdout(`${r.kind} backup of ${positionals[0]}: scanned ${r.bytesScanned} bytes as |${r.scanned.b},${r.scanned.e}|; gid ${r.gid} is clean\n`);
    return 0;
  },
});
