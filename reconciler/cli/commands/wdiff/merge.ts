import { resolve } from 'node:path';

import { mergeWdiffs } from '../../../../native/lib/index.js';
import { parse } from '../../args.js';
import { defineCommand } from '../../command.js';
import { compressionFlag, requireFlag, statsText } from './_shared.js';

export default defineCommand({
  summary: 'merge consecutive wdiffs into one sorted wdiff',
  help: `Usage: walbctl wdiff merge FILE… -o OUT [--compress TYPE] [--uuid HEX] [--json]

Merges consecutive wdiffs of one volume, oldest first, into one sorted wdiff: where records overlap
the later file wins and older records are cut exactly. Inputs may be sorted or indexed. The merge
streams: memory holds the index of extents, not the data. OUT is written to a temporary file, fsynced
and renamed, so a failed merge leaves no partial output.

Options:
  -o, --output OUT     the merged wdiff (required)
  --compress TYPE      none | gzip | snappy | lzma | lz4 | zstd (default lz4)
  --uuid HEX           device uuid for the header (default: the inputs' common uuid)
  --json               print the result as JSON`,
  async run(args, io) {
    const command = 'wdiff merge';
    const { values, positionals } = parse(
      args,
      { output: { type: 'string', short: 'o' }, compress: { type: 'string' }, uuid: { type: 'string' }, json: { type: 'boolean' } },
      { command, minPositionals: 1 },
    );
    const output = resolve(io.cwd, requireFlag(values.output, '-o', command));
    const inputs = positionals.map((p) => resolve(io.cwd, p));
    const opts: { compression?: ReturnType<typeof compressionFlag>; uuid?: string } = { compression: compressionFlag(values.compress, command) };
    if (values.uuid !== undefined) opts.uuid = values.uuid;
    const result = await mergeWdiffs(inputs, output, opts);
    io.stdout(values.json ? JSON.stringify({ output, ...result }) + '\n' : `merged ${inputs.length} wdiffs into ${output}\n` + statsText(result.stats));
    return 0;
  },
});
