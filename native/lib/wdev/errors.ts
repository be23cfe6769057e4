/**
 * The wdev's errors. The executable prints `walbctl-wdev: <code>: <message>`; `fromBinary` turns
 * that into one of these classes, keeping the byte offset the message names.
 */
import { StateError, WalbctlError } from '../../../common/errors.js';

/** Something the wdev needs is not there: /dev/fuse, root, libfuse3, the executable, losetup. */
export class WdevUnavailableError extends WalbctlError {
  constructor(readonly missing: string, message: string) {
    super('wdev-unavailable', `${message} (scan capture still works)`);
  }
}

/** The ldev's super sector or a logpack fails its checks; the volume is not served until repaired. */
export class WdevCorruptError extends WalbctlError {
  constructor(readonly file: string, readonly offset: number | null, message: string) {
    super('wdev-corrupt', message);
  }
}

/** The log overflowed: nothing can be shipped until a hash backup (`walbctl wdev backup`, which restarts the log). */
export class WdevOverflowError extends StateError {
  constructor(vol: string) {
    super(`volume ${vol}: the log overflowed; take a hash backup with "walbctl wdev backup ${vol}" (the reconciler plans one)`);
  }
}

/** Any other failure reported by walbctl-wdev, with its code. */
export class WdevError extends WalbctlError {
  constructor(readonly wdevCode: string, message: string, options: { retryable?: boolean } = {}) {
    super(`wdev-${wdevCode}`, message, options);
  }
}

/** Maps one `walbctl-wdev: code: message` line to an error class. */
export function fromBinary(stderr: string, vol: string): WalbctlError {
  const line = stderr.split('\n').find((l) => l.startsWith('walbctl-wdev: ')) ?? stderr.trim();
  const m = /^walbctl-wdev: ([a-z-]+): (.*)$/.exec(line);
  if (!m) return new WdevError('failed', `volume ${vol}: walbctl-wdev failed: ${line || '(no output)'}`);
  const [, code, message] = m as unknown as [string, string, string];
  if (code === 'corrupt-super' || code === 'corrupt-logpack') {
    const off = /byte offset (\d+)/.exec(message);
    const file = message.split(':')[0] ?? '';
    return new WdevCorruptError(file, off ? Number(off[1]) : null, message);
  }
  if (code === 'no-fuse') return new WdevUnavailableError('/dev/fuse', message.replace(/; scan capture still works$/, ''));
  if (code === 'overflow') return new WdevOverflowError(vol);
  return new WdevError(code, message);
}
