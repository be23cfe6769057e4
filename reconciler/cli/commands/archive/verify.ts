import { verifyArchive } from '../../../../native/lib/archive/index.js';
import { parse } from '../../args.js';
import { defineCommand } from '../../command.js';
import { dataDirFrom, hostHelp, hostOptions, printJson, progress, summary } from './_common.js';

export default defineCommand({
  summary: 'check the whole archive of a volume (exit 1 on any problem)',
  help: `Usage: walbctl archive verify VOL [--rebuild-checksums] [--json]

Checks every wdiff's checksums and header uuid, that the chain from the base has no gap, that the
base image is there with the volume's size and every 1 MiB bulk of it matches its checksum in
base.sums, that no apply or merge was left half done (naming the diffs it still needs and the
command that finishes it), and that every listed restored image exists. Prints each problem (file
and byte range) and exits 1 when there is one; changes nothing.

An archive made before walbctl kept base checksums has no base.sums: verify and restore say so and
refuse to vouch for the base. --rebuild-checksums hashes the base as it is now and writes base.sums,
trusting those bytes from then on (the diffs are still checked).

Options:
  --rebuild-checksums  write base.sums anew from the base image as it is now
${hostHelp}`,
  async run(args, io) {
    const { values, positionals } = parse(args, { ...hostOptions, 'rebuild-checksums': { type: 'boolean' } }, { command: 'archive verify', minPositionals: 1, maxPositionals: 1 });
    const vol = positionals[0]!;
    const p = progress(io, `verify ${vol}`);
    try {
      const r = await verifyArchive(dataDirFrom(values, io), vol, { ...(p.onProgress ? { onProgress: p.onProgress } : {}), rebuildChecksums: values['rebuild-checksums'] === true });
      p.end();
      if (values.json) printJson(io, { volume: vol, ...r });
      else {
        if (r.rebuiltChecksums) io.stdout(`${vol}: wrote base.sums from the base image as it is now; the base is trusted from here on\n`);
        for (const problem of r.problems) io.stdout(`${problem}\n`);
        io.stdout(`${vol}: ${r.ok ? 'ok' : `${r.problems.length} problem(s)`}, ${r.diffsChecked} diff(s) checked: ${summary(r.bytes, r.seconds)}\n`);
      }
      return r.ok ? 0 : 1;
    } finally {
      p.end();
    }
  },
});
