/**
 * The proxy host's spool settings, written by its driver from the tree (`proxy.spoolLimit`) and
 * read by the log-batch transfer: `<dataDir>/proxy/.config.json`. Absent: WalB-like defaults.
 */
import { readFile } from 'node:fs/promises';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import { InputError } from '../../../common/errors.js';
import { atomicWriteFile } from '../../../common/atomic-write.js';
import { checkCompression } from '../data-path.js';
import { spoolRoot } from './layout.js';
import type { SpoolOptions } from './receive.js';

export const DEFAULT_SPOOL_LIMIT = 4 * 2 ** 30;

function configPath(dataDir: string): string {
  return join(spoolRoot(dataDir), '.config.json');
}

export async function readSpoolConfig(dataDir: string): Promise<SpoolOptions> {
  let text: string;
  try {
    text = await readFile(configPath(dataDir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { limitBytes: DEFAULT_SPOOL_LIMIT };
    throw error;
  }
  const c = JSON.parse(text) as Partial<SpoolOptions>;
  if (!Number.isSafeInteger(c.limitBytes) || c.limitBytes! <= 0) throw new InputError('field "limitBytes": expected a positive integer', configPath(dataDir));
  return { limitBytes: c.limitBytes!, ...(c.compression ? { compression: checkCompression(c.compression) } : {}) };
}

export async function writeSpoolConfig(dataDir: string, c: SpoolOptions): Promise<void> {
  await mkdir(spoolRoot(dataDir), { recursive: true });
  await atomicWriteFile(configPath(dataDir), JSON.stringify(c, null, 2) + '\n');
}
