/**
 * `create` makes a new wdev: a data device, a log device formatted with a fresh uuid and salt (its
 * ring allocated in full), and `wdev.json`; a create that fails (no space for the ring) removes what
 * it made, so it can be run again. The data device is an empty (sparse, all-zero) file in the wdev's
 * folder, or — as WalB puts its ddev under a walb device — a device or file the caller names
 * (`ddev`): an existing one keeps its data (the first backup is then a full backup of it), a missing
 * file is made empty. The log may be a file or device of its own too (`ldev`). Named ones are linked
 * from the folder (`ddev`, `ldev` are symbolic links), so the server and every tool find them there;
 * a failed create removes the links and only what it made itself, never a named device's data. `format` rewrites the log device of an existing wdev (a lost
 * log: the volume is then overflowed until a hash backup).
 */
import { randomBytes, randomInt } from 'node:crypto';
import { lstat, mkdir, open, rm, stat, symlink } from 'node:fs/promises';
import { resolve } from 'node:path';

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
  /** The data device: a block device or a file (made sparse when missing). Default: `<dir>/ddev`. */
  ddev?: string;
  /** The log device (ring): a block device or a file. Default: `<dir>/ldev`. */
  ldev?: string;
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
  const ddevPath = opts.ddev ? resolve(opts.ddev) : p.ddev;
  const ldevPath = opts.ldev ? resolve(opts.ldev) : p.ldev;
  if (ddevPath === ldevPath) throw new InputError(`the log device must not be the data device (${ddevPath})`);
  const existing = await deviceKind(ddevPath);
  if (existing === 'other') throw new InputError('is neither a file nor a block device: it cannot be a data device', ddevPath);
  if (existing === 'file' && (await stat(ddevPath)).size < opts.sizeBytes) {
    throw new InputError(`holds ${(await stat(ddevPath)).size} bytes, less than the volume's ${opts.sizeBytes}: the data device is never grown`, ddevPath);
  }
  if (opts.ddev) c.ddevPath = ddevPath;
  if (opts.ldev) c.ldevPath = ldevPath;
  const hadLdev = await exists(ldevPath);
  const made: string[] = [];
  try {
    if (opts.ddev) await linkTo(p.ddev, ddevPath, made);
    if (opts.ldev) await linkTo(p.ldev, ldevPath, made);
    if (existing === null) {
      const ddev = await open(ddevPath, 'wx', 0o600);
      made.push(ddevPath);
      try {
        await ddev.truncate(opts.sizeBytes);
        await ddev.sync();
      } finally {
        await ddev.close();
      }
    }
    await runWdev<WdevStatusJson>(['format', ...formatFlags(c, p.ldev)], { vol });
    await writeWdevConfig(p.config, c);
  } catch (error) {
    // Nothing was stored in a wdev that was never created: leave no files that would refuse a retry,
    // and never touch the data of a device that was there before.
    for (const path of made.reverse()) await rm(path, { force: true });
    if (!hadLdev) await rm(ldevPath, { force: true });
    throw error;
  }
  return c;
}

/** `file`, `block`, `other`, or null when nothing is there. */
async function deviceKind(path: string): Promise<'file' | 'block' | 'other' | null> {
  try {
    const st = await stat(path);
    return st.isFile() ? 'file' : st.isBlockDevice() ? 'block' : 'other';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

async function linkTo(link: string, target: string, made: string[]): Promise<void> {
  if (await lstat(link).then(() => true, () => false)) throw new StateError(`${link} exists already: remove it to create the wdev again`);
  await symlink(target, link);
  made.push(link);
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
