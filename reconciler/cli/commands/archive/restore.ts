import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

import { defaultRestorePath, restore } from '../../../../native/lib/archive/index.js';
import { recordRestoredPath } from '../../../apply/restored-paths.js';
import { UsageError } from '../../../../common/errors.js';
import { parse } from '../../args.js';
import { defineCommand } from '../../command.js';
import { dataDirFrom, gidArg, hostHelp, hostOptions, printJson, progress, summary } from './_common.js';

export default defineCommand({
  summary: 'restore a clean snapshot into an image file or onto a device, here or from another host',
  help: `Usage: walbctl archive restore VOL GID [--path FILE|DEVICE [--overwrite]] [--mode auto|reflink|copy] [--json]
       walbctl archive restore VOL GID --from HOST --host NAME --path FILE|DEVICE [--overwrite] [--json]

Makes the image of the clean restorable snapshot GID: a reflink clone of the base (FICLONE) where
the file system supports it, else a sparse copy, then the diffs up to GID applied. The image is
written beside its target and renamed into place when complete. Default path:
<data dir>/archive/VOL/restored/wr_VOL_GID.img. "walbctl archive get restorable VOL" lists the gids.
The path is remembered in <data dir>/reconciler/restored-paths.jsonl: the reconciler never deletes
such an image (it is reported as "not managed") and never takes it for a volume's device.

With --overwrite, --path may name an existing file or block device (a replacement disk, /dev/loopN):
the image is built and checked against the archive's checksums beside the archive, then written over
every byte of the target (the image's holes as zeros) and fsynced, with progress. Refused, before
anything is written, for a device that is mounted (/proc/self/mountinfo), held (/sys/block/*/holders,
an O_EXCL open), a file backing a loop device, a target smaller than the volume, and the volume's own
capture device while its storage captures. Such a target is not listed as a restored image.

With --from HOST the archive is on HOST, another host of the tree in the current directory, and
--host NAME names this host (a replacement host restoring after a disk failure): HOST's daemon
builds the image of GID, checks it against its base.sums, and streams it over the wire (mutual
TLS, checksummed frames, a whole-stream digest); it lands in <data dir>/wire/partial/ here
(room for the whole volume is needed there), then goes onto --path with the checks above (a new
file, or with --overwrite an existing file or device). The tree must name NAME as the volume's
storage host or in its restoreHosts; HOST's daemon refuses anyone else. A cut link or a busy
archive is retried (up to 6 attempts) and the stream resumes at the last checkpoint this host
made durable.

Options:
  --path FILE        where to write the image (must not exist, unless --overwrite)
  --overwrite        write over an existing file or block device at --path
  --mode MODE        auto (default): reflink where possible; reflink: fail without it; copy: never
  --from HOST        restore from the archive on HOST over the wire (needs --host and --path)
${hostHelp}`,
  async run(args, io) {
    const { values, positionals } = parse(args, { ...hostOptions, path: { type: 'string' }, mode: { type: 'string' }, overwrite: { type: 'boolean' }, from: { type: 'string' } }, { command: 'archive restore', minPositionals: 2, maxPositionals: 2 });
    const mode = values.mode ?? 'auto';
    if (mode !== 'auto' && mode !== 'reflink' && mode !== 'copy') throw new UsageError(`archive restore: --mode must be auto, reflink or copy, got "${mode}"`);
    const vol = positionals[0]!;
    const gid = gidArg(positionals[1], 'GID', 'archive restore');
    const p = progress(io, `restore ${vol} ${gid}`);
    try {
      if (values.from) {
        if (values.mode) throw new UsageError('archive restore: --mode does not apply with --from (the archive host builds the image)');
        // Loaded only here: the tree, TLS and wire modules cost a local restore ~0.3 s of start-up.
        const { restoreFrom } = await import('./_remote-restore.js');
        const r = await restoreFrom(vol, gid, {
          treeDir: io.cwd, hostName: values.host, from: values.from, path: values.path, overwrite: values.overwrite === true,
          ...(p.onProgress ? { onProgress: p.onProgress } : {}),
          onRetry: (attempt, e, ms) => io.stderr(`restore ${vol} ${gid}: attempt ${attempt} failed (${e.message}); retrying in ${ms / 1000} s\n`),
        });
        p.end();
        if (values.json) printJson(io, r);
        else io.stdout(`${vol}: restored gid ${gid} from ${r.from} ${r.overwrote ? `over the ${r.overwrote === 'block' ? 'block device' : 'file'}` : 'to'} ${r.path} (stream digest checked${r.resumedFrom ? `, resumed at byte ${r.resumedFrom}` : ''}): ${summary(r.sizeBytes - r.resumedFrom, r.seconds)}\n`);
        return 0;
      }
      const dataDir = dataDirFrom(values, io);
      // Remembered before a byte is written: no restored image is ever taken for a volume's device.
      const target = resolve(values.path ?? defaultRestorePath(dataDir, vol, gid));
      if (!existsSync(target)) await recordRestoredPath(dataDir, target);
      if (values.overwrite && !values.path) throw new UsageError('archive restore: --overwrite needs --path (the file or device to write over)');
      const r = await restore(dataDir, vol, gid, { mode, overwrite: values.overwrite === true, ...(values.path ? { path: values.path } : {}), ...(p.onProgress ? { onProgress: p.onProgress } : {}) });
      p.end();
      // Also after: a restore that wrote over something that was there (onto a device) counts too.
      if (!r.existed) await recordRestoredPath(dataDir, r.path);
      if (values.json) printJson(io, r);
      else if (r.overwrote) io.stdout(`${vol}: restored gid ${gid} over the ${r.overwrote === 'block' ? 'block device' : 'file'} ${r.path} (${r.diffsApplied} diff(s), verified): ${summary(r.bytes, r.seconds)}\n`);
      else if (r.existed) io.stdout(`${vol}: gid ${gid} is restored already at ${r.path}\n`);
      else io.stdout(`${vol}: restored gid ${gid} to ${r.path} (${r.method}, ${r.diffsApplied} diff(s)): ${summary(r.bytes, r.seconds)}\n`);
      return 0;
    } finally {
      p.end();
    }
  },
});
