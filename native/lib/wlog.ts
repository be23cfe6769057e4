/**
 * wlog operations: convert to a wdiff, show, header summary, and a writer (for tests and tools).
 */
import { atomicProduce } from '../../common/atomic-write.js';
import { addon, checkCompression, checkPaths } from './data-path.js';
import { callNative } from './errors.js';
import type { CompressionName, ConvertResult, WlogIo, WlogShow, WlogWriteOptions } from './native-types.js';

export interface ConvertWlogOptions {
  /** Write an indexed wdiff (WalB's proxy format) instead of a sorted one. */
  indexed?: boolean;
  /** Record compression; lz4 by default. */
  compression?: CompressionName;
  /** Largest record in LB (512 B); 2048 (1 MiB) by default. */
  maxIoBlocks?: number;
}

/**
 * Converts consecutive wlogs of one device into one wdiff at `output`: the newest write wins,
 * overlaps are cut exactly, discards replace earlier data, all-zero data becomes ALLZERO. The output
 * appears atomically (temporary file, fsync, rename) or not at all.
 */
export async function convertWlog(inputs: string[], output: string, opts: ConvertWlogOptions = {}): Promise<ConvertResult> {
  const files = checkPaths(inputs, 'convertWlog');
  const compression = checkCompression(opts.compression);
  const maxIoBlocks = opts.maxIoBlocks ?? 2048;
  if (!Number.isInteger(maxIoBlocks) || maxIoBlocks < 1 || maxIoBlocks > 0xffffffff) {
    throw new RangeError(`maxIoBlocks must be a positive integer, got ${maxIoBlocks}`);
  }
  return atomicProduce(output, (tmp) =>
    callNative(addon().convertWlog(files, tmp, { indexed: Boolean(opts.indexed), compression, maxIoBlocks, sync: false })),
  );
}

/** Every pack and record of a wlog (and how the log ends: END block, end of file, torn tail). */
export async function showWlog(path: string): Promise<WlogShow> {
  return callNative(addon().showWlog(path));
}

export type WlogInfo = Omit<WlogShow, 'packs'> & { packs: number };

/** The header, totals and end of a wlog, without the per-record listing. */
export async function readWlogInfo(path: string): Promise<WlogInfo> {
  const show = await showWlog(path);
  return { ...show, packs: show.packs.length };
}

/**
 * Writes a wlog from a list of IOs through the data path's own logpack writer (packs fill up to
 * their record and size limits; `flush` ends a pack). The file is written in place, not atomically:
 * it is a tool for tests and fixtures. Resolves to the end lsid.
 */
export async function writeWlog(path: string, opts: WlogWriteOptions, ios: WlogIo[]): Promise<{ endLsid: number }> {
  return callNative(addon().writeWlog(path, opts, ios));
}
