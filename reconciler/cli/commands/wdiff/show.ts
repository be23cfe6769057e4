import { resolve } from 'node:path';

import { showWdiff, wdiffStats } from '../../../../native/lib/index.js';
import { parse } from '../../args.js';
import { defineCommand } from '../../command.js';
import { statsText } from './_shared.js';

export default defineCommand({
  summary: 'print the records of a wdiff (or its statistics)',
  help: `Usage: walbctl wdiff show FILE [--stat] [--json]

Prints a sorted or indexed wdiff: its uuid, then one line per record in address order:
address (LB), blocks, kind (normal, allzero, discard), compression and compressed data size; indexed
records also show their offset into the IO image. The records are checked as they are read.

Options:
  --stat   print only the statistics, as WalB's wdiff-show -stat: records and blocks per kind
           (normal, all-zero, discard) and the bytes of compressed data
  --json   print the listing (or the statistics) as JSON`,
  async run(args, io) {
    const { values, positionals } = parse(args, { stat: { type: 'boolean' }, json: { type: 'boolean' } }, { command: 'wdiff show', minPositionals: 1, maxPositionals: 1 });
    const file = resolve(io.cwd, positionals[0]!);
    if (values.stat) {
      const stats = await wdiffStats(file);
      io.stdout(values.json ? JSON.stringify({ file, ...stats }) + '\n' : statsText(stats));
      return 0;
    }
    const show = await showWdiff(file);
    if (values.json) {
      io.stdout(JSON.stringify(show) + '\n');
      return 0;
    }
    const lines = [`${positionals[0]}: ${show.kind}, uuid ${show.uuid}, ${show.records.length} records`];
    lines.push('address     blocks  kind     compression  data_size' + (show.kind === 'indexed-wdiff' ? '  io_offset/orig' : ''));
    for (const r of show.records) {
      let line = `${String(r.address).padStart(10)} ${String(r.blocks).padStart(8)}  ${r.kind.padEnd(8)} ${r.compression.padEnd(12)} ${String(r.dataSize).padStart(9)}`;
      if (r.ioOffset !== undefined) line += `  ${r.ioOffset}/${r.origBlocks}`;
      lines.push(line);
    }
    io.stdout(lines.join('\n') + '\n' + statsText(show.stats));
    return 0;
  },
});
