/**
 * Helpers to run walbctl in tests: in process (fast, for output checks) or as a real process
 * through bin/walbctl.js (for exit codes, signals, files on disk).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { runCli } from '../../reconciler/cli/main.js';

export const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
export const binPath = fileURLToPath(new URL('../../bin/walbctl.js', import.meta.url));
/** The shared directory beside the project (`../shared`), or beside a worktree's parent (`../../shared`). */
export const sharedDir = ((): string => {
  for (let d = dirname(projectRoot.replace(/\/$/, '')), i = 0; i < 3; i++, d = dirname(d)) {
    if (existsSync(join(d, 'shared'))) return join(d, 'shared');
  }
  return join(dirname(projectRoot.replace(/\/$/, '')), 'shared');
})();
export const vectorsDir = join(sharedDir, 'vectors/walb/');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function walbctl(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    isTTY: false,
    cwd: options.cwd ?? process.cwd(),
    env: { ...process.env, ...options.env },
  });
  return { code, stdout, stderr };
}

export function walbctlProcess(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; timeout?: number } = {}): CliResult {
  const r = spawnSync(process.execPath, [binPath, ...args], {
    cwd: options.cwd ?? projectRoot,
    env: { ...process.env, ...options.env },
    input: options.input,
    encoding: 'utf8',
    timeout: options.timeout ?? 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Why a privileged test is skipped here, or null when it can run. */
export function needsRoot(...devices: string[]): string | null {
  if (process.getuid?.() !== 0) return 'needs root';
  return null;
}
