import { merge } from '../../../../native/lib/archive/index.js';
import { UsageError } from '../../../../common/errors.js';
import { parseSize } from '../../../util/size.js';
import { parse } from '../../args.js';
import { defineCommand } from '../../command.js';
import { dataDirFrom, gidArg, hostHelp, hostOptions, printJson, progress, summary } from './_common.js';

export default defineCommand({
  summary: 'merge consecutive diffs into one (WalB merge rules)',
  help: `Usage: walbctl archive merge VOL GIDB GIDE [--compress TYPE] [--json]
       walbctl archive merge VOL GIDB --max-size SIZE [--compress TYPE] [--json]

Replaces the diffs from the one starting at GIDB up to the one ending at GIDE (or as many as fit in
SIZE, e.g. 256MiB) by one sorted wdiff. WalB's rules: every diff after the first is mergeable, none
is compared (from a hash backup), and no explicit snapshot is crossed; a range that breaks them is
refused and nothing changes. Intermediate implicit snapshots stop being restorable.

Options:
  --max-size SIZE    merge as many diffs from GIDB as fit in SIZE bytes
  --compress TYPE    none, lz4 (default), zstd, snappy, gzip, lzma
${hostHelp}`,
  async run(args, io) {
    const { values, positionals } = parse(args, { ...hostOptions, 'max-size': { type: 'string' }, compress: { type: 'string' } }, { command: 'archive merge', minPositionals: 2, maxPositionals: 3 });
    const vol = positionals[0]!;
    const gidB = gidArg(positionals[1], 'GIDB', 'archive merge');
    if ((positionals[2] === undefined) === (values['max-size'] === undefined)) throw new UsageError('archive merge: give either GIDE or --max-size (see "walbctl archive merge --help")');
    let maxSizeBytes: number | undefined;
    if (values['max-size'] !== undefined) {
      try {
        maxSizeBytes = parseSize(values['max-size']);
      } catch (error) {
        throw new UsageError(`archive merge: --max-size: ${(error as Error).message}`);
      }
    }
    const p = progress(io, `merge ${vol}`);
    try {
      const r = await merge(dataDirFrom(values, io), vol, {
        gidB,
        ...(positionals[2] !== undefined ? { gidE: gidArg(positionals[2], 'GIDE', 'archive merge') } : {}),
        ...(maxSizeBytes !== undefined ? { maxSizeBytes } : {}),
        ...(values.compress ? { compression: values.compress } : {}),
        ...(p.onProgress ? { onProgress: p.onProgress } : {}),
      });
      p.end();
      if (values.json) printJson(io, r);
      else io.stdout(`${vol}: merged ${r.inputs.length} diffs into ${r.output} (${r.bytesOut} bytes): ${summary(r.bytesIn, r.seconds)}\n`);
      return 0;
    } finally {
      p.end();
    }
  },
});
