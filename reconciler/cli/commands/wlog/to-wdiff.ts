import { resolve } from 'node:path';

import { convertWlog } from '../../../../native/lib/index.js';
import { integerFlag, parse } from '../../args.js';
import { defineCommand } from '../../command.js';
import { compressionFlag, requireFlag } from '../wdiff/_shared.js';
import { tornTail, tornTailLine } from './_tail.js';

export default defineCommand({
  summary: 'convert wlogs of one device into a wdiff',
  help: `Usage: walbctl wlog to-wdiff FILE… -o OUT [--indexed] [--compress TYPE] [--max-io-blocks N] [--json]

Converts consecutive wlogs of one device (each starting at the lsid where the previous one ended) into
one wdiff, as WalB's wlog-to-wdiff does: the newest write wins, overlapping writes are cut exactly,
discards replace earlier data in their range, all-zero data becomes ALLZERO records, padding is
dropped, and no record is longer than --max-io-blocks. OUT is written to a temporary file, fsynced and
renamed: a failed conversion leaves no partial output. A last wlog cut short (no END block, a partial
or bad logpack) is used up to its last whole logpack, and the command says so on stderr:
"FILE: torn tail at byte N: M logpacks used" (tornTail in --json; null when the log ended whole).

Options:
  -o, --output OUT       the wdiff to write (required)
  --indexed              write an indexed wdiff (WalB's proxy format) instead of a sorted one
  --compress TYPE        none | gzip | snappy | lzma | lz4 | zstd (default lz4)
  --max-io-blocks N      largest record, in 512-byte blocks (default 2048 = 1 MiB)
  --json                 print the result as JSON`,
  async run(args, io) {
    const command = 'wlog to-wdiff';
    const { values, positionals } = parse(
      args,
      {
        output: { type: 'string', short: 'o' },
        indexed: { type: 'boolean' },
        compress: { type: 'string' },
        'max-io-blocks': { type: 'string' },
        json: { type: 'boolean' },
      },
      { command, minPositionals: 1 },
    );
    const output = resolve(io.cwd, requireFlag(values.output, '-o', command));
    const maxIoBlocks = integerFlag(values['max-io-blocks'], 'max-io-blocks', 2048);
    const compression = compressionFlag(values.compress, command);
    const opts = { indexed: Boolean(values.indexed), maxIoBlocks, ...(compression ? { compression } : {}) };
    const inputs = positionals.map((p) => resolve(io.cwd, p));
    const { lastWlog, ...result } = await convertWlog(inputs, output, opts);
    const torn = await tornTail(inputs, lastWlog);
    if (torn) io.stderr(tornTailLine(torn));
    io.stdout(
      values.json
        ? JSON.stringify({ output, indexed: opts.indexed, ...result, tornTail: torn }) + '\n'
        : `converted ${positionals.length} wlog(s), lsids ${result.beginLsid}..${result.endLsid}, ${result.logIos} IOs, into ${output} (${result.fileBytes} bytes)\n`,
    );
    return 0;
  },
});
