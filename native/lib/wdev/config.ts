/**
 * `wdev.json`: what `walbctl wdev create` decided for a volume (its uuid, salt, sizes). `repair`
 * rebuilds a lost super sector from it.
 */
import { readFile } from 'node:fs/promises';

import { InputError } from '../../../common/errors.js';
import { atomicWriteFile } from '../../../common/atomic-write.js';

export interface WdevConfig {
  formatVersion: 1;
  name: string;
  /** 32 hex digits; carried by every wlog and wdiff of the volume. */
  uuid: string;
  salt: number;
  sizeBytes: number;
  ringBytes: number;
  pbs: 512 | 4096;
  createdAt: string;
  /** The data device named at create (`<dir>/ddev` links to it); absent: the wdev's own file. */
  ddevPath?: string;
  /** The log device named at create (`<dir>/ldev` links to it); absent: the wdev's own file. */
  ldevPath?: string;
}

export async function readWdevConfig(path: string): Promise<WdevConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new InputError('no such wdev (create it with "walbctl wdev create")', path);
    throw error;
  }
  let c: WdevConfig;
  try {
    c = JSON.parse(text) as WdevConfig;
  } catch (error) {
    throw new InputError(`not valid JSON: ${(error as Error).message}`, path);
  }
  for (const [k, ok] of [
    ['uuid', typeof c.uuid === 'string' && /^[0-9a-f]{32}$/.test(c.uuid)],
    ['salt', Number.isInteger(c.salt)],
    ['sizeBytes', Number.isSafeInteger(c.sizeBytes) && c.sizeBytes > 0],
    ['ringBytes', Number.isSafeInteger(c.ringBytes) && c.ringBytes > 0],
    ['pbs', c.pbs === 512 || c.pbs === 4096],
  ] as const) {
    if (!ok) throw new InputError(`field "${k}" is missing or invalid`, path);
  }
  return c;
}

export function writeWdevConfig(path: string, c: WdevConfig): Promise<void> {
  return atomicWriteFile(path, JSON.stringify(c, null, 2) + '\n');
}

/** The flags walbctl-wdev format/repair take. */
export function formatFlags(c: WdevConfig, ldev: string): string[] {
  return ['--ldev', ldev, '--size-bytes', String(c.sizeBytes), '--ring-bytes', String(c.ringBytes), '--pbs', String(c.pbs),
    '--uuid', c.uuid, '--salt', String(c.salt), '--name', c.name];
}
