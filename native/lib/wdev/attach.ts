/**
 * attach puts a loop device on the served wdev file and gives it a stable path, the symlink
 * `<dataDir>/wdev/<vol>/dev` (the /dev/loopN number may change between attaches); detach removes
 * both. Both are idempotent.
 */
import { readlink, rename, rm, symlink } from 'node:fs/promises';

import { StateError } from '../../../common/errors.js';
import { WdevUnavailableError } from './errors.js';
import { wdevPaths, type WdevPaths } from './paths.js';
import { isServing } from './serve.js';
import { run } from './system.js';

export interface AttachResult {
  device: string;
  link: string;
  attached: boolean;
}

/** The loop device currently attached to the wdev file, or null. */
export async function attachedLoop(p: WdevPaths): Promise<string | null> {
  let dev: string;
  try {
    dev = await readlink(p.dev);
  } catch {
    return null;
  }
  const r = await run('losetup', ['--noheadings', '--output', 'BACK-FILE', dev], { allowFail: true });
  return r.code === 0 && r.stdout.trim() === p.file ? dev : null;
}

export interface AttachOptions {
  /** losetup's --direct-io (default on: no second page cache over the wdev). */
  directIo?: boolean;
}

export async function attachWdev(dataDir: string, vol: string, opts: AttachOptions = {}): Promise<AttachResult> {
  const p = wdevPaths(dataDir, vol);
  if (process.getuid?.() !== 0) throw new WdevUnavailableError('root', 'attaching a loop device needs root');
  if (!(await isServing(p))) throw new StateError(`volume ${vol}: not served; run "walbctl wdev serve ${vol}" first`);
  const existing = await attachedLoop(p);
  if (existing) return { device: existing, link: p.dev, attached: false };
  const r = await run('losetup', ['--find', '--show', `--direct-io=${opts.directIo === false ? 'off' : 'on'}`, p.file]);
  const device = r.stdout.trim();
  const tmp = `${p.dev}.tmp-${process.pid}`;
  await rm(tmp, { force: true });
  await symlink(device, tmp);
  await rename(tmp, p.dev);
  return { device, link: p.dev, attached: true };
}

export async function detachWdev(dataDir: string, vol: string): Promise<{ device: string | null }> {
  const p = wdevPaths(dataDir, vol);
  const dev = await attachedLoop(p);
  if (dev) await run('losetup', ['-d', dev]);
  await rm(p.dev, { force: true });
  return { device: dev };
}
