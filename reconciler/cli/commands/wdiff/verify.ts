import { resolve } from 'node:path';

import { verifyFile, WalbFormatError, type VerifyResult } from '../../../../native/lib/index.js';
import { parse } from '../../args.js';
import { defineCommand } from '../../command.js';

type Outcome = { file: string; ok: true; result: VerifyResult } | { file: string; ok: false; error: string; offset?: number; rule?: string };

export default defineCommand({
  summary: 'check every checksum of wdiffs (and wlogs)',
  help: `Usage: walbctl wdiff verify FILE… [--json]

Checks every structure of each file: headers, pack and index checksums, record ranges and order, and
every record's data checksum and decompression. Wlogs are verified too; a torn wlog tail (a crash in
the middle of an append) is reported as the end of the log, not as corruption. A bad file is reported
with the byte offset of its first bad structure and the rule it breaks.

Exit status: 0 when every file is good, 1 otherwise.

Options:
  --json   print [{file, ok, ...}] as JSON`,
  async run(args, io) {
    const { values, positionals } = parse(args, { json: { type: 'boolean' } }, { command: 'wdiff verify', minPositionals: 1 });
    const outcomes: Outcome[] = [];
    for (const p of positionals) {
      const file = resolve(io.cwd, p);
      try {
        outcomes.push({ file: p, ok: true, result: await verifyFile(file) });
      } catch (error) {
        if (error instanceof WalbFormatError) {
          outcomes.push({ file: p, ok: false, error: error.message, offset: error.offset, rule: error.rule });
        } else if (error instanceof Error) {
          outcomes.push({ file: p, ok: false, error: error.message });
        } else throw error;
      }
    }
    if (values.json) {
      io.stdout(JSON.stringify(outcomes) + '\n');
    } else {
      for (const o of outcomes) {
        if (o.ok) {
          const r = o.result;
          const tail = r.end === 'torn-tail' ? `, torn tail at byte ${r.endOffset} (${r.endDetail ?? ''})` : r.complete ? '' : `, no END (${r.end})`;
          io.stdout(`${o.file}: ok (${r.kind}, ${r.records} records, ${r.packs} packs${tail})\n`);
        } else {
          io.stderr(`BAD: ${o.error}\n`);
        }
      }
    }
    return outcomes.every((o) => o.ok) ? 0 : 1;
  },
});
