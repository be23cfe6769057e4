/**
 * Turns an error from the addon into a walbctl error: a corrupt wdiff becomes an InputError naming
 * the file and byte offset; a full disk a retryable NoSpaceError; other system errors keep their
 * code. Paths of the form /proc/self/fd/N (diffs held open during a restore) are mapped back.
 */
import { InputError, WalbctlError } from '../../../reconciler/errors.js';
import type { AddonError } from './addon.js';

export class NoSpaceError extends WalbctlError {
  constructor(readonly file: string, options: { cause?: unknown } = {}) {
    super('no-space', `${file}: no space left on the device; nothing was changed (free space and run it again)`, { ...options, retryable: true });
  }
}

export function mapAddonError(error: unknown, names: Map<string, string> = new Map()): unknown {
  if (!(error instanceof Error)) return error;
  const e = error as AddonError;
  let message = e.message;
  for (const [from, to] of names) message = message.split(from).join(to);
  const file = e.file ? (names.get(e.file) ?? e.file) : undefined;
  if (e.code === 'ENOSPC' || e.code === 'EDQUOT' || /ENOSPC|No space left/.test(message)) return new NoSpaceError(file ?? 'the target', { cause: error });
  if (e.rule !== undefined || e.offset !== undefined || e.code === 'bad-format') {
    const stripped = file && message.startsWith(`${file}: `) ? message.slice(file.length + 2) : message;
    return new InputError(stripped, file, { cause: error });
  }
  if (message !== e.message) {
    const copy = new Error(message, { cause: error }) as AddonError;
    copy.code = e.code;
    return copy;
  }
  return error;
}
