/**
 * Whether `archive restore --overwrite` may write over an existing file or block device: never one
 * that is mounted, held by another device (a holder in /sys, an O_EXCL open that fails), backing a
 * loop device, or the volume's own capture device while the storage captures it. Each refusal names
 * the target and why.
 */
import { constants } from 'node:fs';
import { open, readFile, readdir, realpath, stat } from 'node:fs/promises';

import { InputError } from '../../../common/errors.js';
import { storageMeta } from '../storage/query.js';

export interface OverwriteTarget {
  kind: 'file' | 'block';
  sizeBytes: number;
}

const majmin = (rdev: number) => `${Math.floor(rdev / 256) & 0xfff}:${(rdev & 0xff) | ((rdev >> 12) & 0xfff00)}`;

/** Mount points (from /proc/self/mountinfo) of the device `dev` ("maj:min"). */
async function mountsOf(dev: string): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  return text
    .split('\n')
    .map((l) => l.split(' '))
    .filter((f) => f[2] === dev)
    .map((f) => f[4]!);
}

/** Loop devices whose backing file is `path`. */
async function loopsBackedBy(path: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of await readdir('/sys/block').catch(() => [] as string[])) {
    if (!name.startsWith('loop')) continue;
    const backing = (await readFile(`/sys/block/${name}/loop/backing_file`, 'utf8').catch(() => '')).trim();
    if (backing && backing === path) out.push(`/dev/${name}`);
  }
  return out;
}

export async function checkOverwriteTarget(dataDir: string, vol: string, target: string, needBytes: number): Promise<OverwriteTarget> {
  const refuse = (why: string) => new InputError(`cannot restore over it: ${why}`, target);
  const st = await stat(target);
  const real = await realpath(target);
  const own = await storageMeta(dataDir, vol).catch(() => null);
  if (own && own.state !== 'Clear' && (await realpath(own.devicePath).catch(() => own.devicePath)) === real) {
    throw refuse(`it is the capture device of volume ${vol}, whose storage is ${own.state}; stop and clear the storage first`);
  }
  if (st.isBlockDevice()) {
    const dev = majmin(st.rdev);
    const mounts = await mountsOf(dev);
    if (mounts.length > 0) throw refuse(`it is mounted at ${mounts.join(', ')}`);
    const holders = await readdir(`/sys/dev/block/${dev}/holders`).catch(() => [] as string[]);
    if (holders.length > 0) throw refuse(`it is held by ${holders.map((h) => `/dev/${h}`).join(', ')}`);
    const probe = await open(target, constants.O_RDONLY | constants.O_EXCL).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'EBUSY') throw refuse('it is held open by another process or the kernel (O_EXCL open: EBUSY)');
      throw e;
    });
    let size: number;
    try {
      size = Number((await probe.stat({ bigint: true })).size) || (await sizeFromSys(dev));
    } finally {
      await probe.close();
    }
    if (size < needBytes) throw refuse(`it has ${size} bytes; the image needs ${needBytes}`);
    return { kind: 'block', sizeBytes: size };
  }
  if (!st.isFile()) throw refuse('it is neither a regular file nor a block device');
  const loops = await loopsBackedBy(real);
  if (loops.length > 0) throw refuse(`it backs ${loops.join(', ')}`);
  return { kind: 'file', sizeBytes: st.size };
}

async function sizeFromSys(dev: string): Promise<number> {
  const sectors = Number((await readFile(`/sys/dev/block/${dev}/size`, 'utf8').catch(() => '0')).trim());
  return sectors * 512;
}

/**
 * Where a restore may write `target`: null when it does not exist yet (a new image file), the
 * checked target when it exists and `overwrite` was given; refused otherwise. Local and remote
 * restores (restore.ts, wire/transfers/restore.ts) both ask this, before a byte is written.
 */
export async function restoreTarget(dataDir: string, vol: string, target: string, needBytes: number, overwrite: boolean): Promise<OverwriteTarget | null> {
  const existing = await stat(target).then(
    () => true,
    () => false,
  );
  if (!existing) return null;
  if (!overwrite) throw new InputError('exists already; delete it, restore to another --path, or give --overwrite to write over it', target);
  return checkOverwriteTarget(dataDir, vol, target, needBytes);
}
