import { deleteRestored } from '../../../../native/lib/archive/index.js';
import { parse } from '../../args.js';
import { defineCommand } from '../../command.js';
import { dataDirFrom, gidArg, hostHelp, hostOptions, printJson } from './_common.js';

export default defineCommand({
  summary: 'delete a restored image',
  help: `Usage: walbctl archive del-restored VOL GID [--path FILE] [--json]

Deletes the restored image(s) of GID (only the one at FILE with --path) and forgets them.

Options:
  --path FILE        only the image at this path
${hostHelp}`,
  async run(args, io) {
    const { values, positionals } = parse(args, { ...hostOptions, path: { type: 'string' } }, { command: 'archive del-restored', minPositionals: 2, maxPositionals: 2 });
    const vol = positionals[0]!;
    const gid = gidArg(positionals[1], 'GID', 'archive del-restored');
    const deleted = await deleteRestored(dataDirFrom(values, io), vol, gid, values.path ? { path: values.path } : {});
    if (values.json) printJson(io, { volume: vol, gid, deleted });
    else for (const p of deleted) io.stdout(`${vol}: deleted restored gid ${gid} at ${p}\n`);
    return 0;
  },
});
