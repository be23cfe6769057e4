import { snapshotWdev } from '../../../../native/lib/wdev/capture.js';
import { parse } from '../../args.js';
import { defineCommand } from '../../command.js';
import { dataDir, dataDirHelp, dataDirOption, printJson } from './_common.js';

export default defineCommand({
  summary: 'take a snapshot (a gid at the permanent lsid) and ship the log to the archive',
  help: `Usage: walbctl wdev snapshot VOL [--implicit] [--if-new-logs] [--compress TYPE] [--data-dir DIR] [--json]

Flushes the log, takes the next gid at the permanent lsid (every write acknowledged before is in
it), then ships every snapshot not yet archived: the log between the shipped position and the
snapshot's lsid is extracted as a wlog, converted to a sorted wdiff |prev|-->|gid| and added to the
archive; only then does the oldest lsid advance and the ring space come free. Refused when the log
overflowed (run "walbctl wdev backup VOL", a hash backup, first).

Options:
  --implicit       an implicit snapshot (merges may remove it); explicit by default
  --if-new-logs    take it only when something was written since the last snapshot (as WalB's
                   periodic implicit snapshots: "--implicit --if-new-logs" every 10 s)
  --compress TYPE  wdiff compression: none, lz4 (default), zstd, snappy, gzip, lzma
${dataDirHelp}
  --json           print {"gid", "lsid", "shipped": [...]}, or null when --if-new-logs took none`,
  async run(args, io) {
    const { values, positionals } = parse(
      args,
      { implicit: { type: 'boolean' }, 'if-new-logs': { type: 'boolean' }, compress: { type: 'string' }, json: { type: 'boolean' }, ...dataDirOption },
      { command: 'wdev snapshot', minPositionals: 1, maxPositionals: 1 },
    );
    const r = await snapshotWdev(dataDir(values, io), positionals[0]!, {
      explicit: !values.implicit,
      onlyIfNewLogs: values['if-new-logs'],
      ...(values.compress ? { compression: values.compress } : {}),
    });
    if (values.json) printJson(io, r);
    else if (!r) io.stdout('no new logs since the last snapshot: none taken\n');
    else io.stdout(`snapshot ${r.gid} at lsid ${r.lsid}; shipped ${r.shipped.map((d) => d.file).join(', ') || 'nothing'}\n`);
    return 0;
  },
});
