/**
 * The commit protocol of apply (design.md): the base's state becomes `<B-->E>` with the list of diffs
 * before a block of the base is touched; the diffs are applied in place; the base is fsynced; the
 * base's checksums are brought forward for the bulks the diffs wrote; the state becomes `<E>`; only
 * then are the diffs deleted. Applying the same diffs again is idempotent,
 * so an interrupted apply is finished by running this again.
 */
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { refreshBaseSums } from './base-check.js';
import { ArchiveCorruptError } from './errors.js';
import { formats } from './formats.js';
import { fsyncDir, fsyncFile } from './files.js';
import { parseDiffName } from './diff-name.js';
import type { ArchivePaths } from './layout.js';
import { readArchiveMeta } from './meta.js';
import { phaseReporter, type OnProgress } from './progress.js';
import { listDiffFiles, updateMeta } from './volume.js';
import { mapAddonError } from './wdiff-errors.js';

/** Checks every diff's checksums before anything is changed; throws at the first bad one. */
export async function verifyDiffs(files: string[], opts: { onProgress?: OnProgress } = {}): Promise<void> {
  const f = await formats();
  const report = phaseReporter(opts.onProgress, 'verify');
  for (let i = 0; i < files.length; i++) {
    try {
      await f.verifyDiff(files[i]!);
    } catch (error) {
      throw mapAddonError(error);
    }
    report?.(i + 1, files.length);
  }
}

/** Applies the diffs named in `meta.applying` to the base and commits `<E>`. */
export async function finishApply(paths: ArchivePaths, vol: string, opts: { onProgress?: OnProgress }): Promise<number> {
  const meta = await readArchiveMeta(paths.meta);
  if (!meta.applying || !meta.base.e) return 0;
  const files = meta.applying.map((f) => join(paths.dir, f));
  for (const f of files) {
    const exists = await stat(f).then(
      () => true,
      () => false,
    );
    if (!exists) throw new ArchiveCorruptError(vol, [`the interrupted apply to ${JSON.stringify(meta.base.e)} cannot finish: ${f} is missing`]);
  }
  const api = await formats();
  try {
    await api.applyDiffs(files, paths.base, { discard: 'punch' });
  } catch (error) {
    throw mapAddonError(error);
  }
  opts.onProgress?.({ phase: 'apply', done: files.length, total: files.length });
  await fsyncFile(paths.base);
  // The checksums follow the base before the commit; a re-run re-hashes the same bulks.
  await refreshBaseSums(paths, meta.base.b, meta.base.e, files);
  const last = parseDiffName(meta.applying[meta.applying.length - 1]!);
  await updateMeta(
    paths,
    (m) => {
      m.base = { b: m.base.e! };
      m.baseTimestamp = last?.timestamp ?? m.baseTimestamp;
      m.applying = null;
    },
    { volume: vol, operation: 'apply commit' },
  );
  for (const f of files) await rm(f, { force: true });
  const base = meta.base.e.b;
  for (const d of await listDiffFiles(paths)) if (d.e.b <= base) await rm(d.path, { force: true });
  await fsyncDir(paths.dir);
  return files.length;
}
