/**
 * Mounts for the root-only tests: a small tmpfs (a disk that fills up) and an XFS image with
 * reflink on a loop device. Each returns its mount point and an unmount function.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.error?.message}`);
}

/** Why the mount tests cannot run here, or null. */
export function mountSkipReason(tools: string[] = []): string | null {
  if (process.getuid?.() !== 0) return 'needs root to mount a file system';
  for (const t of tools) {
    if (spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0) return `needs ${t} (scripts/setup.sh installs it)`;
  }
  return null;
}

export interface Mounted {
  dir: string;
  unmount(): void;
  remount(options: string): void;
}

export function mountTmpfs(sizeBytes: number): Mounted {
  const dir = mkdtempSync(join(tmpdir(), 'walbctl-tmpfs-'));
  run('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes}`, 'tmpfs', dir]);
  return {
    dir,
    unmount: () => {
      spawnSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    },
    remount: (options) => run('mount', ['-o', `remount,${options}`, dir]),
  };
}

export function mountXfsReflink(sizeBytes: number): Mounted {
  const work = mkdtempSync(join(tmpdir(), 'walbctl-xfs-'));
  const image = join(work, 'xfs.img');
  const dir = join(work, 'mnt');
  run('truncate', ['-s', String(sizeBytes), image]);
  run('mkfs.xfs', ['-q', '-m', 'reflink=1', image]);
  run('mkdir', [dir]);
  run('mount', ['-o', 'loop', image, dir]);
  return {
    dir,
    unmount: () => {
      spawnSync('umount', [dir]);
      rmSync(work, { recursive: true, force: true });
    },
    remount: (options) => run('mount', ['-o', `remount,${options}`, dir]),
  };
}
