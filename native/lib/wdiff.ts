/**
 * wdiff operations: merge, apply (wlogs too), verify, stats and show.
 */
import { atomicProduce } from '../../common/atomic-write.js';
import { addon, checkCompression, checkPaths } from './data-path.js';
import { callNative } from './errors.js';
import type { ApplyResult, CompressionName, MergeResult, VerifyResult, WdiffShow, WdiffStats } from './native-types.js';

export interface MergeWdiffsOptions {
  /** Record compression of the output; lz4 by default. */
  compression?: CompressionName;
  /** The output's device uuid (32 hex digits); by default the inputs' uuid when they share one. */
  uuid?: string;
}

/**
 * Merges consecutive wdiffs (sorted or indexed, oldest first) into one sorted wdiff; later inputs
 * win. Streaming: memory holds the index of extents, not the data. Atomic output.
 */
export async function mergeWdiffs(inputs: string[], output: string, opts: MergeWdiffsOptions = {}): Promise<MergeResult> {
  const files = checkPaths(inputs, 'mergeWdiffs');
  const compression = checkCompression(opts.compression);
  const native: { compression: string; uuid?: string; sync: boolean } = { compression, sync: false };
  if (opts.uuid !== undefined) {
    if (!/^[0-9a-f]{32}$/i.test(opts.uuid.replace(/-/g, ''))) throw new RangeError(`uuid must be 32 hex digits, got "${opts.uuid}"`);
    native.uuid = opts.uuid;
  }
  return atomicProduce(output, (tmp) => callNative(addon().mergeWdiffs(files, tmp, native)));
}

export interface ApplyLogsOptions {
  /** `zero` (default) writes discarded ranges as zeros; `punch` punches holes (file) or discards (device). */
  discard?: 'zero' | 'punch';
}

/**
 * Applies wlogs and wdiffs (detected by their header), in the order given, onto a file or block
 * device, then fdatasyncs it (data and allocation durable). Consecutive wlogs are read as one log of one device. Every input's header
 * is checked before the target is touched; the target must be large enough.
 */
export async function applyLogs(inputs: string[], target: string, opts: ApplyLogsOptions = {}): Promise<ApplyResult> {
  const files = checkPaths(inputs, 'applyLogs');
  const discard = opts.discard ?? 'zero';
  if (discard !== 'zero' && discard !== 'punch') throw new RangeError(`discard must be "zero" or "punch", got "${String(discard)}"`);
  return callNative(addon().applyLogs(files, target, { discard, sync: true }));
}

/**
 * Checks every structure and checksum of a wlog or wdiff and decompresses every record. Rejects with
 * WalbFormatError {file, offset, rule} at the first bad structure; a torn wlog tail resolves with
 * end = "torn-tail". With `decode: false` a sorted wdiff's records are checked (structure, the
 * checksum of every record's stored bytes) without being decompressed: what a receiver needs to know
 * that it holds the sender's file, at a fraction of the cost.
 */
export async function verifyFile(path: string, opts: { decode?: boolean } = {}): Promise<VerifyResult> {
  return callNative(addon().verifyFile(path, { decode: opts.decode ?? true }));
}

/** Record counts and block totals per kind, as WalB's `wdiff-show -stat` reports them. */
export async function wdiffStats(path: string): Promise<WdiffStats> {
  return callNative(addon().wdiffStats(path));
}

/** Every record of a sorted or indexed wdiff, with its stats. */
export async function showWdiff(path: string): Promise<WdiffShow> {
  return callNative(addon().showWdiff(path));
}
