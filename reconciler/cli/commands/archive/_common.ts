/**
 * Shared by the `walbctl archive` and `walbctl vol` commands: where the host's data directory is
 * (`--data-dir DIR`, else the host file's `dataDir` with `--host-file FILE` or `--host NAME`
 * (hosts/NAME.yaml under the current directory), else $WALBCTL_DATA_DIR, else /var/lib/walbctl),
 * gid arguments, progress on a terminal and the summary line (bytes, time, rate).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';

import { InputError, UsageError } from '../../../../common/errors.js';
import { formatBytes } from '../../../util/size.js';
import type { CliIO } from '../../command.js';
import type { OnProgress } from '../../../../native/lib/archive/progress.js';

export const hostOptions = {
  'data-dir': { type: 'string' as const },
  host: { type: 'string' as const },
  'host-file': { type: 'string' as const },
  json: { type: 'boolean' as const },
};

export const hostHelp = `  --data-dir DIR     the host's data directory
  --host-file FILE   take the data directory from this host file (its dataDir)
  --host NAME        the same with hosts/NAME.yaml in the current directory
                     (default: $WALBCTL_DATA_DIR, else /var/lib/walbctl)
  --json             print the result as JSON`;

export function dataDirFrom(values: { 'data-dir'?: string | undefined; host?: string | undefined; 'host-file'?: string | undefined }, io: CliIO): string {
  if (values['data-dir']) return resolve(io.cwd, values['data-dir']);
  const file = values['host-file'] ? resolve(io.cwd, values['host-file']) : values.host ? join(io.cwd, 'hosts', `${values.host}.yaml`) : null;
  if (file) {
    if (!existsSync(file)) throw new InputError('host file not found', file);
    let doc: unknown;
    try {
      // Loaded only when a host file is named, so the other commands start faster.
      const { parse: parseYaml } = createRequire(import.meta.url)('yaml') as typeof import('yaml');
      doc = parseYaml(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new InputError(`not valid YAML (${(error as Error).message.split('\n')[0]})`, file);
    }
    const dir = (doc as { dataDir?: unknown } | null)?.dataDir;
    if (typeof dir !== 'string' || dir === '') throw new InputError('field "dataDir": expected a path', file);
    // Relative to the tree's root, the folder that holds hosts/.
    return isAbsolute(dir) ? dir : resolve(dirname(dirname(file)), dir);
  }
  return resolve(io.cwd, io.env.WALBCTL_DATA_DIR ?? '/var/lib/walbctl');
}

export function gidArg(value: string | undefined, name: string, command: string): number {
  if (value === undefined || !/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`${command}: ${name} must be a gid (a non-negative integer), got "${value ?? ''}"`, command);
  }
  return Number(value);
}

/** Byte counts in progress and summaries: `2.0 GiB`, `123 MiB`. */
const sized = (n: number): string => formatBytes(n, { wholeAbove100: true });

/** `2.0 GiB in 1.23 s (1.6 GiB/s)`. */
export function summary(bytes: number, seconds: number): string {
  const rate = seconds > 0 ? `${sized(Math.round(bytes / seconds))}/s` : '-';
  return `${sized(bytes)} in ${seconds.toFixed(2)} s (${rate})`;
}

/** A progress line on stderr when it is a terminal; nothing otherwise. Call `end()` when done. */
export function progress(io: CliIO, label: string): { onProgress?: OnProgress; end(): void } {
  if (!io.isTTY) return { end() {} };
  let shown = false;
  return {
    onProgress: (e) => {
      const pct = e.total > 0 ? ` ${Math.floor((e.done / e.total) * 100)}%` : '';
      const amount = e.phase === 'verify' || e.phase === 'apply' ? `${e.done}/${e.total}` : `${sized(e.done)} / ${sized(e.total)}`;
      io.stderr(`\r\x1b[K${label}: ${e.phase} ${amount}${pct}`);
      shown = true;
    },
    end() {
      if (shown) io.stderr('\r\x1b[K');
    },
  };
}

export function printJson(io: CliIO, value: unknown): void {
  io.stdout(JSON.stringify(value, null, 2) + '\n');
}
