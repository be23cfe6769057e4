/**
 * The host's data directory before anything touches it. A dataDir that does not exist is created
 * only when the tree says so (`createDataDir: true`) or when an operator runs `walbctl apply` (the
 * first init, by hand), and the caller logs it; the daemon otherwise refuses it, so a typo in
 * dataDir cannot start an empty archive. A dataDir that is not a directory is a diagnostic naming the
 * host file and line, not a raw ENOTDIR.
 */
import { mkdir, stat } from 'node:fs/promises';

import { InputError } from '../../common/errors.js';
import type { DesiredHost } from '../model/desired.js';

function where(host: DesiredHost): string {
  const s = host.dataDirSource ?? host.source;
  return `${s.file}:${s.line}:${s.col}`;
}

/** Returns true when it created the directory; throws an InputError naming the host file otherwise. */
export async function ensureDataDir(host: DesiredHost, opts: { mayCreate: boolean }): Promise<boolean> {
  const st = await stat(host.dataDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    if (error.code === 'ENOTDIR') return 'not-dir' as const;
    throw error;
  });
  if (st === 'not-dir' || (st && !st.isDirectory())) {
    throw new InputError(`dataDir ${host.dataDir} of host ${host.name} is ${st === 'not-dir' ? 'below a file' : 'a file'}, not a directory: point dataDir at a directory`, where(host));
  }
  if (st) return false;
  if (!opts.mayCreate && !host.createDataDir) {
    throw new InputError(
      `dataDir ${host.dataDir} of host ${host.name} does not exist; the daemon does not create it (a typo would start an empty archive): ` +
        `create it, run "walbctl apply" once, or set "createDataDir: true" in the host file`,
      where(host),
    );
  }
  await mkdir(host.dataDir, { recursive: true });
  return true;
}
