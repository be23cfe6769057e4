import { resolve } from 'node:path';

import { showWlog, type WlogShow } from '../../../../native/lib/index.js';
import { parse } from '../../args.js';
import { defineCommand } from '../../command.js';

function render(name: string, w: WlogShow): string {
  const h = w.header;
  const out = [
    `${name}: wlog, uuid ${h.uuid}, pbs ${h.pbs}, salt ${h.salt}, lsids ${h.beginLsid}..${h.endLsid === '18446744073709551615' ? 'END' : h.endLsid}`,
  ];
  for (const p of w.packs) {
    out.push(`pack lsid ${p.lsid} at byte ${p.fileOffset}: ${p.records.length} records, ${p.totalIoSize} physical blocks`);
    for (const r of p.records) {
      out.push(`  ${String(r.lsid).padStart(10)}  ${r.kind.padEnd(8)} ${r.kind === 'padding' ? '' : `address ${r.address} `}blocks ${r.blocks}`);
    }
  }
  const t = w.totals;
  out.push(`end: ${w.end.reason} at byte ${w.end.offset}, lsid ${w.end.lsid}${w.end.reason === 'torn-tail' ? ` (${w.end.detail})` : ''}`);
  out.push(`total: ${w.packs.length} packs, ${t.writes} writes (${t.writeBlocks} blocks), ${t.discards} discards (${t.discardBlocks} blocks), ${t.paddings} paddings`);
  return out.join('\n') + '\n';
}

export default defineCommand({
  summary: 'print the header, logpacks and records of wlogs',
  help: `Usage: walbctl wlog show FILE… [--json]

Prints each wlog: its header (uuid, physical block size, checksum salt, lsid range), every logpack
(lsid, byte offset, records, physical blocks) with its records (lsid, write/discard/padding, address
and blocks in LB), how the log ends (END block, end of file, end_lsid, or a torn tail: a crash in the
middle of an append, which reads as the end) and totals.

Options:
  --json   print {"files": [...]} with every pack and record`,
  async run(args, io) {
    const { values, positionals } = parse(args, { json: { type: 'boolean' } }, { command: 'wlog show', minPositionals: 1 });
    const shows: WlogShow[] = [];
    for (const p of positionals) shows.push(await showWlog(resolve(io.cwd, p)));
    if (values.json) io.stdout(JSON.stringify({ files: shows }) + '\n');
    else io.stdout(shows.map((s, i) => render(positionals[i]!, s)).join('\n'));
    return 0;
  },
});
