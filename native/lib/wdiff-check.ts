/**
 * A sorted wdiff checked as its bytes go by (native/src/format/wdiff_sorted_check.h): the same rules
 * as `verifyFile(path, { decode: false })` — header, every pack block, every record's checksum over
 * its stored bytes, the END pack, nothing after it — applied to the bytes in the order they are
 * written, so that a receiver knows the file is sound without reading it back. The first fault
 * throws a WalbFormatError naming the file and the byte offset, as verifyFile's would; after it the
 * check ignores what it is fed and `finish` throws that error again.
 */
import { addon } from './data-path.js';
import { mapNativeError } from './errors.js';
import type { WdiffStreamCheckResult } from './native-types.js';

export class WdiffStreamCheck {
  private readonly handle: unknown;
  private failed: unknown = null;

  /** `file` is where the bytes are written (errors name it); `size`, the whole file's. */
  constructor(file: string, size: number) {
    this.handle = addon().wdiffCheckOpen(file, size);
  }

  /** The next bytes of the file, in order: buffers, or `null` for `length` zero bytes. */
  feed(parts: readonly Buffer[] | null, length: number): void {
    if (this.failed !== null) return;
    try {
      if (parts === null) addon().wdiffCheckFeed(this.handle, length);
      else for (const p of parts) if (p.length > 0) addon().wdiffCheckFeed(this.handle, p);
    } catch (e) {
      this.failed = mapNativeError(e);
    }
  }

  /** The first fault found so far, or null. */
  get error(): unknown {
    return this.failed;
  }

  /** After the last byte: what the check saw, or the first fault (thrown). */
  finish(): WdiffStreamCheckResult {
    if (this.failed !== null) throw this.failed;
    try {
      return addon().wdiffCheckFinish(this.handle);
    } catch (e) {
      this.failed = mapNativeError(e);
      throw this.failed;
    }
  }
}
