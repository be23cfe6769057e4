/**
 * Errors from the native data path. A corrupt or truncated input is a WalbFormatError naming the
 * file, the byte offset of the first bad structure and the format rule it breaks; an operating-system
 * failure is a NativeIoError shaped like Node's own fs errors (code, errno, path).
 */
import { InputError } from '../../common/errors.js';

/** A wlog/wdiff breaks a rule of WalB's format (docs/formats.md lists the rules). */
export class WalbFormatError extends InputError {
  constructor(
    readonly file: string,
    readonly offset: number,
    readonly rule: string,
    detail: string,
    options: { cause?: unknown } = {},
  ) {
    super(`${detail} [${rule}]`, `${file}: byte ${offset}`, options);
  }
}

/** open/read/write/fsync failed: `code` is the errno name (ENOENT, ENOSPC, ...). */
export class NativeIoError extends Error {
  readonly errno: number;
  constructor(
    message: string,
    readonly file: string,
    readonly code: string,
    errno: number,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
    this.name = 'NativeIoError';
    this.errno = errno;
  }
}

/** The raw fields the addon puts on a rejected promise's Error. */
interface RawNativeError extends Error {
  kind?: 'format' | 'io' | 'argument' | 'internal';
  file?: string;
  offset?: number;
  rule?: string;
  code?: string;
  errno?: number;
}

/** Maps an addon rejection to a typed error whose stack starts at the JS caller. */
export function mapNativeError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const e = error as RawNativeError;
  if (e.kind === 'format' && e.file !== undefined && e.offset !== undefined && e.rule !== undefined) {
    const prefix = `${e.file}: byte ${e.offset}: `;
    let detail = e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
    detail = detail.replace(/ \[[a-z0-9-]+\]$/, '');
    return new WalbFormatError(e.file, e.offset, e.rule, detail, { cause: error });
  }
  if (e.kind === 'io') {
    return new NativeIoError(e.message, e.file ?? '', e.code ?? 'EIO', e.errno ?? 0, { cause: error });
  }
  if (e.kind === 'argument') return new RangeError(e.message, { cause: error });
  return error;
}

/** Awaits a native promise; a rejection is rethrown typed, with this call site in its stack. */
export async function callNative<T>(promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (error) {
    const mapped = mapNativeError(error);
    if (mapped instanceof Error && mapped !== error) Error.captureStackTrace(mapped, callNative);
    throw mapped;
  }
}
