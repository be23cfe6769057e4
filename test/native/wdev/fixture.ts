/**
 * Shared set-up for the wdev tests: why they skip here (root, /dev/fuse, the built executable), a
 * scratch data directory, and a clean-up that always unmounts, detaches and stops what a test
 * started, even when the test failed half-way (leftover mounts would break CI).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, closeSync, constants, existsSync, fsyncSync, mkdtempSync, openSync, readFileSync, readlinkSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { projectRoot } from '../../helpers/cli.js';

/** Why the wdev tests cannot run on this machine, or null. `tools` must be on PATH too. */
export function wdevSkipReason(...tools: string[]): string | null {
  for (const t of tools) {
    if (spawnSync('sh', ['-c', `command -v ${t}`], { stdio: 'ignore' }).status !== 0) return `needs ${t} (scripts/setup.sh installs it)`;
  }
  if (process.getuid?.() !== 0) return 'needs root (FUSE mounts with allow_other, loop devices)';
  try {
    accessSync('/dev/fuse', constants.R_OK | constants.W_OK);
  } catch {
    return 'needs /dev/fuse';
  }
  if (!existsSync(join(projectRoot, 'build/Release/walbctl-wdev'))) return 'walbctl-wdev is not built (npm run build:native with libfuse3-dev)';
  return null;
}

export class Scratch {
  readonly dir: string;
  private mounts: string[] = [];
  private volumes: string[] = [];

  constructor(prefix: string) {
    this.dir = mkdtempSync(join(tmpdir(), `walbctl-wdev-${prefix}-`));
  }

  get dataDir(): string {
    return join(this.dir, 'data');
  }

  /** Remembers a mount point to unmount at clean-up. */
  mount(path: string): void {
    this.mounts.push(path);
  }

  /** Remembers a volume to detach and stop at clean-up. */
  volume(vol: string): void {
    this.volumes.push(vol);
  }

  cleanup(): void {
    for (const m of this.mounts.reverse()) {
      spawnSync('fsfreeze', ['-u', m], { stdio: 'ignore' });
      spawnSync('umount', ['-l', m], { stdio: 'ignore' });
    }
    for (const vol of this.volumes) {
      const dir = join(this.dataDir, 'wdev', vol);
      try {
        spawnSync('losetup', ['-d', readlinkSync(join(dir, 'dev'))], { stdio: 'ignore' });
      } catch {
        // not attached
      }
      // any loop device still on the file (a test that attached by hand)
      const loops = spawnSync('losetup', ['-j', join(dir, 'mnt/disk'), '-O', 'NAME', '-n'], { encoding: 'utf8' }).stdout ?? '';
      for (const l of loops.split('\n').filter(Boolean)) spawnSync('losetup', ['-d', l.trim()], { stdio: 'ignore' });
      spawnSync(process.execPath, [join(projectRoot, 'bin/walbctl.js'), 'wdev', 'stop', vol, '--force', '--data-dir', this.dataDir], { stdio: 'ignore', timeout: 60_000 });
      spawnSync('fusermount3', ['-u', '-z', join(dir, 'mnt')], { stdio: 'ignore' });
      spawnSync('umount', ['-l', join(dir, 'mnt')], { stdio: 'ignore' });
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function sha1(data: Uint8Array): string {
  return createHash('sha1').update(data).digest('hex');
}

export function sha1File(path: string): string {
  return sha1(readFileSync(path));
}

/** Runs a command, throwing with its stderr when it fails. */
export function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Writes `bytes` bytes of `fill` at `offset` and fsyncs, as an application that waits for its data. */
export function writeAndSync(file: string, offset: number, bytes: number, fill: number): void {
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, Buffer.alloc(bytes, fill), 0, bytes, offset);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function readAt(file: string, offset: number, bytes: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const b = Buffer.alloc(bytes);
    readSync(fd, b, 0, bytes, offset);
    return b;
  } finally {
    closeSync(fd);
  }
}

/** SIGKILL, then waits until the process is gone. */
export async function killAndWait(pid: number): Promise<void> {
  process.kill(pid, 'SIGKILL');
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}
