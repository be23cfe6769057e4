import { setSnapshotExplicit } from '../../../../native/lib/archive/index.js';
import { UsageError } from '../../../../common/errors.js';
import { parse } from '../../args.js';
import { defineCommand } from '../../command.js';
import { dataDirFrom, gidArg, hostHelp, hostOptions, printJson } from './_common.js';

export default defineCommand({
  summary: 'make a snapshot explicit (kept by merges) or implicit (mergeable)',
  help: `Usage: walbctl archive set-snapshot VOL GID --explicit|--implicit [--json]

WalB's enable-/disable-snapshot: an explicit snapshot is kept by merges; an implicit one may be
merged away. The diff that starts at GID is renamed with its M flag cleared or set.

Options:
  --explicit         keep GID through merges
  --implicit         let merges remove GID
${hostHelp}`,
  async run(args, io) {
    const { values, positionals } = parse(args, { ...hostOptions, explicit: { type: 'boolean' }, implicit: { type: 'boolean' } }, { command: 'archive set-snapshot', minPositionals: 2, maxPositionals: 2 });
    if (Boolean(values.explicit) === Boolean(values.implicit)) throw new UsageError('archive set-snapshot: give exactly one of --explicit or --implicit');
    const vol = positionals[0]!;
    const gid = gidArg(positionals[1], 'GID', 'archive set-snapshot');
    await setSnapshotExplicit(dataDirFrom(values, io), vol, { gid, explicit: Boolean(values.explicit) });
    if (values.json) printJson(io, { volume: vol, gid, explicit: Boolean(values.explicit) });
    else io.stdout(`${vol}: gid ${gid} is ${values.explicit ? 'explicit' : 'implicit'}\n`);
    return 0;
  },
});
