/**
 * Turns an error from the addon into a walbctl error: a corrupt wdiff becomes an InputError naming
 * the file and byte offset; a full disk a retryable NoSpaceError; other system errors keep their
 * code. Paths of the form /proc/self/fd/N (diffs held open during a restore) are mapped back.
 */
import { InputError, WalbctlError } from '../../../common/errors.js';

export class NoSpaceError extends WalbctlError {
  constructor(
    readonly file: string,
    options: { cause?: unknown } = {},
  ) {
    super('no-space', `${file}: no space left on the device; the operation was undone (free space and run it again)`, { ...options, retryable: true });
  }
}

interface RawError extends Error {
  code?: string;
  file?: string;
  offset?: number;
  rule?: string;
}

export function mapAddonError(error: unknown, names: Map<string, string> = new Map()): unknown {
  if (!(error instanceof Error)) return error;
  const e = error as RawError;
  const real = (p: string) => names.get(p) ?? p;
  let message = e.message;
  for (const [from, to] of names) message = message.split(from).join(to);
  const file = e.file !== undefined ? real(e.file) : undefined;
  if (e.code === 'ENOSPC' || e.code === 'EDQUOT' || /ENOSPC|No space left/.test(message)) return new NoSpaceError(file || 'the target', { cause: error });
  if (e.rule !== undefined && file !== undefined && e.offset !== undefined) {
    const location = `${file}: byte ${e.offset}`;
    const detail = message.startsWith(`${location}: `) ? message.slice(location.length + 2) : message;
    return new InputError(detail, location, { cause: error });
  }
  if (message !== e.message) {
    const copy = new Error(message, { cause: error }) as RawError;
    if (e.code) copy.code = e.code;
    return copy;
  }
  return error;
}
