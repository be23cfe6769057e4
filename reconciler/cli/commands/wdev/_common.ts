/**
 * Shared by the `walbctl wdev` commands: the host's data directory, found as `walbctl archive` and
 * `walbctl vol` find it (`--data-dir`, `--host-file`, `--host`, $WALBCTL_DATA_DIR, /var/lib/walbctl),
 * and size parsing (`64M`, `1G`, bytes).
 */
import { UsageError } from '../../../../common/errors.js';
import type { CliIO } from '../../command.js';
import { dataDirFrom } from '../archive/_common.js';

export const dataDirOption = {
  'data-dir': { type: 'string' as const },
  host: { type: 'string' as const },
  'host-file': { type: 'string' as const },
};
export const dataDirHelp = `  --data-dir DIR   the host's data directory
  --host-file FILE take the data directory from this host file (its dataDir)
  --host NAME      the same with hosts/NAME.yaml in the current directory
                   (default: $WALBCTL_DATA_DIR, else /var/lib/walbctl)`;

export function dataDir(values: { 'data-dir'?: string | undefined; host?: string | undefined; 'host-file'?: string | undefined }, io: CliIO): string {
  return dataDirFrom(values, io);
}

const UNITS: Record<string, number> = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };

/** `4096`, `64M`, `1G`, `2GiB`: binary units. */
export function parseSize(value: string, flag: string): number {
  const m = /^(\d+)\s*([KMGT]?)(?:i?B)?$/i.exec(value.trim());
  if (!m) throw new UsageError(`--${flag}: expected a size such as 64M or 1G, got "${value}"`);
  const n = Number(m[1]) * UNITS[m[2]!.toUpperCase()]!;
  if (!Number.isSafeInteger(n) || n <= 0) throw new UsageError(`--${flag}: size out of range: "${value}"`);
  return n;
}

export function printJson(io: CliIO, value: unknown): void {
  io.stdout(JSON.stringify(value) + '\n');
}
