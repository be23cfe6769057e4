/**
 * `create` makes a new wdev: an empty (sparse, all-zero) data device, a log device formatted with a
 * fresh uuid and salt (its ring allocated in full), and `wdev.json`; a create that fails (no space for
 * the ring) removes what it made, so it can be run again. `format` rewrites the log device of an existing wdev (a lost
 * log: the volume is then overflowed until a hash backup).
 */
import { randomBytes, randomInt } from 'node:crypto';
import { mkdir, open, rm, stat } from 'node:fs/promises';

import { InputError, StateError } from '../../../common/errors.js';
import { runWdev } from './binary.js';
import { formatFlags, readWdevConfig, writeWdevConfig, type WdevConfig } from './config.js';
import type { WdevStatusJson } from './control.js';
import { wdevPaths } from './paths.js';
import { isServing } from './serve.js';

export interface CreateOptions {
  sizeBytes: number;
  /** Ring buffer of the log device; default 1/4 of the volume, at least 4 MiB. */
  ringBytes?: number;
  pbs?: 512 | 4096;
}

export async function createWdev(dataDir: string, vol: string, opts: CreateOptions): Promise<WdevConfig> {
  const p = wdevPaths(dataDir, vol);
  const pbs = opts.pbs ?? 4096;
  if (!Number.isSafeInteger(opts.sizeBytes) || opts.sizeBytes <= 0 || opts.sizeBytes % pbs !== 0) {
    throw new InputError(`--size must be a positive multiple of ${pbs} bytes, got ${opts.sizeBytes}`);
  }
  const ringBytes = opts.ringBytes ?? Math.max(4 << 20, Math.floor(opts.sizeBytes / 4 / pbs) * pbs);
  if (ringBytes < 4 << 20 || ringBytes % pbs !== 0) throw new InputError(`--ring must be at least 4 MiB and a multiple of ${pbs} bytes`);
  if (await exists(p.config)) throw new StateError(`volume ${vol}: a wdev already exists in ${p.dir}`);
  await mkdir(p.mnt, { recursive: true });
  const c: WdevConfig = {
    formatVersion: 1,
    name: vol,
    uuid: randomBytes(16).toString('hex'),
    salt: randomInt(1, 2 ** 32 - 1),
    sizeBytes: opts.sizeBytes,
    ringBytes,
    pbs,
    createdAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  };
  const hadLdev = await exists(p.ldev);
  const ddev = await open(p.ddev, 'wx', 0o600);
  try {
    try {
      await ddev.truncate(opts.sizeBytes);
      await ddev.sync();
    } finally {
      await ddev.close();
    }
    await runWdev<WdevStatusJson>(['format', ...formatFlags(c, p.ldev)], { vol });
    await writeWdevConfig(p.config, c);
  } catch (error) {
    // Nothing was stored in a wdev that was never created: leave no files that would refuse a retry.
    await rm(p.ddev, { force: true });
    if (!hadLdev) await rm(p.ldev, { force: true });
    throw error;
  }
  return c;
}

/** Reformats the log device; refused while served. Once capture has started, the volume is marked overflowed. */
export async function formatWdev(dataDir: string, vol: string): Promise<WdevStatusJson> {
  const p = wdevPaths(dataDir, vol);
  const c = await readWdevConfig(p.config);
  if (await isServing(p)) throw new StateError(`volume ${vol}: stop serving it before formatting its log device`);
  const formatted = await runWdev<WdevStatusJson>(['format', ...formatFlags(c, p.ldev)], { vol });
  if (!(await exists(p.capture))) return formatted;
  // Capture had started: the log no longer covers the writes since the last snapshot, so only a
  // hash backup can follow.
  await runWdev(['repair', ...formatFlags(c, p.ldev), '--ddev', p.ddev, '--mark-overflow', '1'], { vol });
  return runWdev<WdevStatusJson>(['status', '--ldev', p.ldev], { vol });
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
