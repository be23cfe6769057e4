import { applyUpTo } from '../../../../native/lib/archive/index.js';
import { parse } from '../../args.js';
import { defineCommand } from '../../command.js';
import { dataDirFrom, gidArg, hostHelp, hostOptions, printJson, progress, summary } from './_common.js';

export default defineCommand({
  summary: 'fold the diffs up to a gid into the base image',
  help: `Usage: walbctl archive apply VOL GID [--json]

Applies the diffs from the base up to the clean snapshot GID into the base image and deletes them;
older snapshots stop being restorable. Every diff is verified before the base is touched. The base
state <B-->E> is written first, so an interrupted apply is finished by the next apply (or by
"walbctl archive start", or by any archive command on the volume).

Options:
${hostHelp}`,
  async run(args, io) {
    const { values, positionals } = parse(args, hostOptions, { command: 'archive apply', minPositionals: 2, maxPositionals: 2 });
    const vol = positionals[0]!;
    const gid = gidArg(positionals[1], 'GID', 'archive apply');
    const p = progress(io, `apply ${vol} ${gid}`);
    try {
      const r = await applyUpTo(dataDirFrom(values, io), vol, gid, p.onProgress ? { onProgress: p.onProgress } : {});
      p.end();
      if (values.json) printJson(io, r);
      else if (r.diffsApplied === 0 && !r.finishedInterrupted) io.stdout(`${vol}: the base is at gid ${gid} already\n`);
      else io.stdout(`${vol}: applied ${r.diffsApplied} diff(s); base is <${gid}>${r.finishedInterrupted ? ' (an interrupted apply was finished first)' : ''}: ${summary(r.bytes, r.seconds)}\n`);
      return 0;
    } finally {
      p.end();
    }
  },
});
