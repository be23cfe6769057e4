import { verifyArchive } from '../../../../native/lib/archive/index.js';
import { parse } from '../../args.js';
import { defineCommand } from '../../command.js';
import { dataDirFrom, hostHelp, hostOptions, printJson, progress, summary } from './_common.js';

export default defineCommand({
  summary: 'check the whole archive of a volume (exit 1 on any problem)',
  help: `Usage: walbctl archive verify VOL [--json]

Checks every wdiff's checksums and header uuid, that the chain from the base has no gap, that the
base image is there with the volume's size, that no apply or merge was left half done, and that
every listed restored image exists. Prints each problem (file and byte offset) and exits 1 when
there is one; changes nothing.

Options:
${hostHelp}`,
  async run(args, io) {
    const { values, positionals } = parse(args, hostOptions, { command: 'archive verify', minPositionals: 1, maxPositionals: 1 });
    const vol = positionals[0]!;
    const p = progress(io, `verify ${vol}`);
    try {
      const r = await verifyArchive(dataDirFrom(values, io), vol, p.onProgress ? { onProgress: p.onProgress } : {});
      p.end();
      if (values.json) printJson(io, { volume: vol, ...r });
      else {
        for (const problem of r.problems) io.stdout(`${problem}\n`);
        io.stdout(`${vol}: ${r.ok ? 'ok' : `${r.problems.length} problem(s)`}, ${r.diffsChecked} diff(s) checked: ${summary(r.bytes, r.seconds)}\n`);
      }
      return r.ok ? 0 : 1;
    } finally {
      p.end();
    }
  },
});
