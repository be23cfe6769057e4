/**
 * The few system tools the wdev drives (losetup, umount), run with arguments as arrays, never
 * through a shell, and the mount table.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';

import { WdevError, WdevUnavailableError } from './errors.js';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], opts: { allowFail?: boolean; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    execFile(cmd, args, { timeout: opts.timeoutMs ?? 120_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new WdevUnavailableError(cmd, `${cmd} is not installed (apt-get install util-linux)`));
        return;
      }
      if (error && !opts.allowFail) {
        reject(new WdevError('command-failed', `${cmd} ${args.join(' ')}: ${stderr.trim() || error.message}`));
        return;
      }
      resolvePromise({ code, stdout, stderr });
    });
  });
}

/** True when `path` is a mount point (a FUSE mount left by a killed server included). */
export async function isMountPoint(path: string): Promise<boolean> {
  const target = resolve(path);
  const table = await readFile('/proc/self/mountinfo', 'utf8');
  return table.split('\n').some((line) => unescapeMount(line.split(' ')[4] ?? '') === target);
}

function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}
