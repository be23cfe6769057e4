/**
 * Finds and runs the walbctl-wdev executable (built by `npm run build:native` beside the addon).
 * Its subcommands print one JSON line; a failure is one `walbctl-wdev: code: message` line.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { packageRoot } from '../load.js';
import { fromBinary, WdevUnavailableError } from './errors.js';

/** The path of walbctl-wdev, or a WdevUnavailableError saying every path tried and what to do. */
export function wdevBinary(): string {
  const root = packageRoot();
  const tried = [process.env.WALBCTL_WDEV_BIN, join(root, 'build/Release/walbctl-wdev'), join(root, 'build/Debug/walbctl-wdev')].filter(
    (p): p is string => Boolean(p),
  );
  const found = tried.find((p) => existsSync(p));
  if (found) return found;
  throw new WdevUnavailableError(
    'walbctl-wdev',
    `the wdev executable is not built (tried ${tried.join(', ')}); it needs libfuse3's development files: ` +
      `apt-get install libfuse3-dev fuse3 (or run scripts/setup.sh), then "npm run build:native"`,
  );
}

export interface RunOptions {
  vol: string;
  timeoutMs?: number;
}

/** Runs one subcommand and parses its JSON line. */
export function runWdev<T>(args: string[], opts: RunOptions): Promise<T> {
  const bin = wdevBinary();
  return new Promise((resolve, reject) => {
    execFile(bin, args, { timeout: opts.timeoutMs ?? 600_000, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (error) {
        if (/error while loading shared libraries: libfuse3/.test(stderr)) {
          reject(new WdevUnavailableError('libfuse3', 'libfuse3 is missing: apt-get install fuse3 libfuse3-3'));
          return;
        }
        reject(fromBinary(stderr, opts.vol));
        return;
      }
      try {
        resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '') as T);
      } catch {
        reject(new Error(`walbctl-wdev ${args[0]} printed no JSON: ${stdout.slice(0, 200)}`));
      }
    });
  });
}
