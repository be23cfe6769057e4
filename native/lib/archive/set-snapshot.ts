/**
 * Makes a snapshot explicit (merge keeps it) or implicit (merge may remove it), as WalB's
 * enable/disable-snapshot: the diff that starts at the gid is renamed with its M flag cleared or set,
 * and the metadata's explicit list follows.
 */
import { rename } from 'node:fs/promises';
import { join } from 'node:path';

import { formatDiffName } from './diff-name.js';
import { GidError } from './errors.js';
import { fsyncDir } from './files.js';
import { asAction, listDiffFiles, updateMeta } from './volume.js';

export async function setSnapshotExplicit(dataDir: string, vol: string, opts: { gid: number; explicit: boolean }): Promise<void> {
  await asAction(dataDir, vol, {
    op: 'set-snapshot',
    run: async (h) => {
      const diffs = await listDiffFiles(h.paths);
      const known = diffs.some((d) => d.e.b === opts.gid) || h.meta.base.b.b === opts.gid;
      if (!known) throw new GidError(vol, `gid ${opts.gid} is not a snapshot of this archive`);
      await updateMeta(
        h.paths,
        (m) => {
          const set = new Set(m.explicitSnapshots);
          if (opts.explicit) set.add(opts.gid);
          else set.delete(opts.gid);
          m.explicitSnapshots = [...set].sort((a, b) => a - b);
        },
        { volume: vol, operation: 'set-snapshot' },
      );
      const next = diffs.find((d) => d.b.b === opts.gid && d.b.e === opts.gid && !d.compared);
      if (next && next.mergeable === opts.explicit) {
        await rename(next.path, join(h.paths.dir, formatDiffName({ ...next, mergeable: !opts.explicit })));
        await fsyncDir(h.paths.dir);
      }
    },
  });
}
