/**
 * Apply onto a real block device (a loop device over a file): data written with pwrite, discards as
 * zeros or as BLKDISCARD, and the device's bytes give the README's sha1.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { applyLogs } from '../../native/lib/index.js';
import { needsRoot, vectorsDir } from '../helpers/cli.js';
import { patternImage, sha1, tempDir } from './helpers.js';

function loopReason(): string | null {
  const root = needsRoot();
  if (root) return root;
  try {
    execFileSync('losetup', ['--version'], { stdio: 'ignore' });
    return null;
  } catch {
    return 'needs losetup and loop devices';
  }
}
const reason = loopReason();

function readDevice(dev: string, bytes: number): Buffer {
  const fd = openSync(dev, 'r');
  try {
    const b = Buffer.alloc(bytes);
    let done = 0;
    while (done < bytes) done += readSync(fd, b, done, bytes - done, done);
    return b;
  } finally {
    closeSync(fd);
  }
}

describe.skipIf(reason)(`apply onto a loop block device${reason ? ` (skipped: ${reason})` : ''}`, () => {
  let tmp: ReturnType<typeof tempDir>;
  const devices: string[] = [];
  beforeAll(() => (tmp = tempDir()));
  afterAll(() => {
    for (const d of devices) execFileSync('losetup', ['-d', d]);
    tmp.cleanup();
  });

  function attach(name: string): string {
    const backing = join(tmp.dir, name);
    writeFileSync(backing, patternImage());
    const dev = execFileSync('losetup', ['--find', '--show', backing], { encoding: 'utf8' }).trim();
    devices.push(dev);
    return dev;
  }

  it.each(['zero', 'punch'] as const)('writes a4k.wlog then b4k.wlog with discards as %s', async (discard) => {
    const dev = attach(`dev-${discard}.img`);
    await applyLogs([join(vectorsDir, 'a4k.wlog'), join(vectorsDir, 'b4k.wlog')], dev, { discard });
    expect(sha1(readDevice(dev, 4 << 20))).toBe('d9109dd5536aa9579c6b8fac9d7b9d5c89c3672b');
  });

  it('refuses a record past the end of a smaller device, naming it', async () => {
    const backing = join(tmp.dir, 'small.img');
    writeFileSync(backing, Buffer.alloc(1 << 20));
    const dev = execFileSync('losetup', ['--find', '--show', backing], { encoding: 'utf8' }).trim();
    devices.push(dev);
    await expect(applyLogs([join(vectorsDir, 'ab4k.merged.wdiff')], dev)).rejects.toMatchObject({ rule: 'target-range' });
  });
});
