import { archiveMeta, archiveState, listDiffs, restorable, restoredImages } from '../../../../native/lib/archive/index.js';
import { formatBase, formatSnap } from '../../../../native/lib/archive/gid.js';
import { StateError, UsageError } from '../../../../common/errors.js';
import { parse } from '../../args.js';
import { defineCommand } from '../../command.js';
import { dataDirFrom, hostHelp, hostOptions, printJson } from './_common.js';

const TARGETS = ['diff', 'restorable', 'restored', 'base'] as const;

const noZ = (iso: string) => iso.replace(/\.\d+Z$|Z$/, '');

export default defineCommand({
  summary: 'print diffs, restorable or restored snapshots, or the base (WalB text forms)',
  help: `Usage: walbctl archive get diff|restorable|restored|base VOL [--json]

  diff         one line per diff: |B|-->|E| MC YYYY-MM-DDThh:mm:ss dataSize (dirty snapshots |B,E|;
               M mergeable, C compared, - otherwise; times in UTC)
  restorable   one line per clean restorable snapshot: GID YYYY-MM-DDThh:mm:ss explicit|implicit
  restored     one line per restored image: GID PATH CREATED
  base         the base state: <B>, <B,E> (dirty) or <B-->E> (an apply runs)

Options:
${hostHelp}`,
  async run(args, io) {
    const { values, positionals } = parse(args, hostOptions, { command: 'archive get', minPositionals: 2, maxPositionals: 2 });
    const target = positionals[0]! as (typeof TARGETS)[number];
    if (!TARGETS.includes(target)) throw new UsageError(`archive get: unknown target "${target}" (expected ${TARGETS.join(', ')})`);
    const dir = dataDirFrom(values, io);
    const vol = positionals[1]!;
    if ((await archiveState(dir, vol)) === 'Clear') throw new StateError(`${vol}: no archive of this volume here (state Clear; see "walbctl archive init")`);
    switch (target) {
      case 'diff': {
        const diffs = await listDiffs(dir, vol);
        if (values.json) printJson(io, diffs);
        else for (const d of diffs) io.stdout(`${formatSnap(d.b)}-->${formatSnap(d.e)} ${d.mergeable ? 'M' : '-'}${d.compared ? 'C' : '-'} ${noZ(d.timestamp)} ${d.dataSize}\n`);
        break;
      }
      case 'restorable': {
        const list = await restorable(dir, vol);
        if (values.json) printJson(io, list);
        else for (const r of list) io.stdout(`${r.gid} ${noZ(r.timestamp)} ${r.explicit ? 'explicit' : 'implicit'}\n`);
        break;
      }
      case 'restored': {
        const list = await restoredImages(dir, vol);
        if (values.json) printJson(io, list);
        else for (const r of list) io.stdout(`${r.gid} ${r.path} ${r.createdAt === null ? '-' : noZ(r.createdAt)}\n`);
        break;
      }
      case 'base': {
        const meta = await archiveMeta(dir, vol);
        if (!meta) throw new StateError(`${vol}: no archive of this volume here (state Clear)`);
        if (values.json) printJson(io, { base: meta.base, timestamp: meta.baseTimestamp });
        else io.stdout(`${formatBase(meta.base)}\n`);
        break;
      }
    }
    return 0;
  },
});
