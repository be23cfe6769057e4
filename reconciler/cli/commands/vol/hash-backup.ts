import { hashBackup } from '../../../../native/lib/storage/index.js';
import { parse } from '../../args.js';
import { defineCommand } from '../../command.js';
import { dataDirFrom, hostHelp, hostOptions, printJson, progress, summary } from '../archive/_common.js';
import { resolve } from 'node:path';

export default defineCommand({
  summary: "compare the volume with the archive's newest image and send the difference",
  help: `Usage: walbctl vol hash-backup VOL [--archive-data-dir DIR] [--implicit] [--compress TYPE] [--json]

Hashes the archive's newest image bulk by bulk, scans the volume against those hashes and sends
the bulks that differ as a compared diff (it is never merged). The way back after the hash index
was lost. Allowed in SyncReady, Stopped and Target; leaves the volume in Target.

Options:
  --archive-data-dir DIR   the data directory of the archive (default: this host's)
  --implicit               the snapshot at the end is implicit (explicit by default)
  --compress TYPE          none, lz4 (default), zstd, snappy, gzip, lzma
${hostHelp}`,
  async run(args, io) {
    const { values, positionals } = parse(
      args,
      { ...hostOptions, 'archive-data-dir': { type: 'string' }, implicit: { type: 'boolean' }, compress: { type: 'string' } },
      { command: 'vol hash-backup', minPositionals: 1, maxPositionals: 1 },
    );
    const vol = positionals[0]!;
    const p = progress(io, `hash-backup ${vol}`);
    try {
      const r = await hashBackup(dataDirFrom(values, io), vol, {
        explicit: !values.implicit,
        ...(values['archive-data-dir'] ? { archiveDataDir: resolve(io.cwd, values['archive-data-dir']) } : {}),
        ...(values.compress ? { compression: values.compress } : {}),
        ...(p.onProgress ? { onProgress: p.onProgress } : {}),
      });
      p.end();
      if (values.json) printJson(io, r);
      else {
        if (r.finished) io.stdout(`${vol}: finished the interrupted ${r.finished}\n`);
        io.stdout(`${vol}: gid ${r.gid} (${r.file}), ${r.changedBytes} bytes changed, diff ${r.diffBytes} bytes: ${summary(r.bytesScanned, r.seconds)}\n`);
      }
      return 0;
    } finally {
      p.end();
    }
  },
});
