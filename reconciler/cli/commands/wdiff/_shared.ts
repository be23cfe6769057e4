/**
 * Helpers shared by the wlog and wdiff commands: flag checks and the human renderings of the data
 * path's results. (A leading underscore keeps this file out of the command list.)
 */
import { UsageError } from '../../../../common/errors.js';
import { compressionNames, type ApplyResult, type CompressionName, type WdiffStats } from '../../../../native/lib/index.js';

export function compressionFlag(value: string | undefined, command: string): CompressionName | undefined {
  if (value === undefined) return undefined;
  if (!(compressionNames as readonly string[]).includes(value)) {
    throw new UsageError(`${command}: --compress: expected one of ${compressionNames.join(', ')}, got "${value}"`, command);
  }
  return value as CompressionName;
}

export function discardFlag(value: string | undefined, command: string): 'zero' | 'punch' {
  if (value === undefined || value === 'zero' || value === 'punch') return value ?? 'zero';
  throw new UsageError(`${command}: --discard: expected zero or punch, got "${value}"`, command);
}

export function requireFlag(value: string | undefined, flag: string, command: string): string {
  if (value === undefined || value === '') throw new UsageError(`${command}: ${flag} is required (see "walbctl ${command} --help")`, command);
  return value;
}

export function statsText(s: WdiffStats): string {
  const row = (name: string, c: { records: number; blocks: number }) =>
    `${name.padEnd(8)} ${String(c.records).padStart(10)} records ${String(c.blocks).padStart(12)} blocks\n`;
  return (
    row('normal', s.normal) +
    row('allzero', s.allZero) +
    row('discard', s.discard) +
    `total    ${String(s.records).padStart(10)} records, ${s.dataBytes} bytes of data, file ${s.fileBytes} bytes\n`
  );
}

export function applyText(r: Omit<ApplyResult, 'lastWlog'>, target: string): string {
  return (
    `applied to ${target}: ${r.writes.records} writes (${r.writes.blocks} blocks), ` +
    `${r.allZero.records} all-zero (${r.allZero.blocks} blocks), ${r.discard.records} discards (${r.discard.blocks} blocks); ` +
    `${r.bytesWritten} bytes written\n`
  );
}

export const applyHelp = (group: string, what: string) => `Usage: walbctl ${group} apply FILE… --target PATH [--discard zero|punch] [--json]

Applies (redoes) ${what} onto a file or block device, in the order given, as WalB's
wlog-redo -z / wdiff-redo do. Wlogs and wdiffs (sorted or indexed) are told apart by their header and
may be mixed; consecutive wlogs must be consecutive logs of one device. Every input's header is checked
before the target is touched; a record beyond the end of the target is an error. The target is fsynced.
A last wlog cut short is replayed up to its last whole logpack, and the command says so on stderr:
"FILE: torn tail at byte N: M logpacks used" (tornTail in --json; null when the log ended whole).

Options:
  --target PATH           the image file or block device to write (required)
  --discard zero|punch    zero (default): write discarded ranges as zeros;
                          punch: punch holes in a file / issue discards on a block device
  --json                  print the counts as JSON`;
