import { serveWdev } from '../../../../native/lib/wdev/serve.js';
import { parse } from '../../args.js';
import { defineCommand } from '../../command.js';
import { dataDir, dataDirHelp, dataDirOption, printJson } from './_common.js';

export default defineCommand({
  summary: 'serve a wdev as a FUSE file (its own process)',
  help: `Usage: walbctl wdev serve VOL [--foreground] [--page-cache] [--data-dir DIR] [--json]

Starts walbctl-wdev for VOL: it replays the log past the data device's last checkpoint (crash
recovery), then serves <data-dir>/wdev/VOL/mnt/disk, whose every write is logged to the ldev before
it is acknowledged. Without --foreground it returns once the file is served. Needs root and
/dev/fuse. A corrupt super sector or logpack is reported with its byte offset and nothing is served
until "walbctl wdev repair VOL".

Options:
  --foreground     stay in the foreground until the server exits (for a systemd unit)
  --page-cache     let the kernel cache the file (default: direct IO)
${dataDirHelp}
  --json           print {"pid", "file", "recoveredPacks", "recoveredIos", "lsid"}`,
  async run(args, io) {
    const { values, positionals } = parse(
      args,
      { foreground: { type: 'boolean' }, 'page-cache': { type: 'boolean' }, json: { type: 'boolean' }, ...dataDirOption },
      { command: 'wdev serve', minPositionals: 1, maxPositionals: 1 },
    );
    const r = await serveWdev(dataDir(values, io), positionals[0]!, {
      foreground: values.foreground,
      pageCache: values['page-cache'],
    });
    if (values.json) printJson(io, r);
    else io.stdout(`serving ${r.file} (pid ${r.pid}; replayed ${r.recoveredPacks} logpacks, ${r.recoveredIos} IOs)\n`);
    return 0;
  },
});
