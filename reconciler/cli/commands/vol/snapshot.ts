import { snapshot } from '../../../../native/lib/storage/index.js';
import { parse } from '../../args.js';
import { defineCommand } from '../../command.js';
import { dataDirFrom, hostHelp, hostOptions, printJson, progress, summary } from '../archive/_common.js';
import { resolve } from 'node:path';

export default defineCommand({
  summary: "take a snapshot: hash the volume, send the changed bulks as a wdiff",
  help: `Usage: walbctl vol snapshot VOL [--archive-data-dir DIR] [--implicit] [--compress TYPE] [--json]

Takes snapshot gid+1 in scan capture: hashes the volume in bulks, compares with the hash index of
the previous snapshot and sends the bulks that changed to the archive as a sorted wdiff
|prev|-->|gid|. Needs state Target. Running it again after a crash first finishes the interrupted
snapshot.

Options:
  --archive-data-dir DIR   the data directory of the archive (default: this host's)
  --implicit               an implicit snapshot (merges may remove it); explicit by default
  --compress TYPE          none, lz4 (default), zstd, snappy, gzip, lzma
${hostHelp}`,
  async run(args, io) {
    const { values, positionals } = parse(
      args,
      { ...hostOptions, 'archive-data-dir': { type: 'string' }, implicit: { type: 'boolean' }, compress: { type: 'string' } },
      { command: 'vol snapshot', minPositionals: 1, maxPositionals: 1 },
    );
    const vol = positionals[0]!;
    const p = progress(io, `snapshot ${vol}`);
    try {
      const r = await snapshot(dataDirFrom(values, io), vol, {
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
