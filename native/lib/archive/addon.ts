/**
 * Typed wrappers of the addon operations this area owns (native/src/scan, native/src/archive).
 * The C++ runs off the JS thread; progress arrives as (done, total) bytes.
 */
import { loadAddon } from '../load.js';

export type ProgressFn = (done: number, total: number) => void;

export interface ScanVolumeOptions {
  source: string;
  /** The volume's size in bytes; 0 for the file's own size. */
  sizeBytes: number;
  bulkSize: number;
  /** 32 hex digits, written into the wdiff header and the index. */
  uuid: string;
  /** Full backup: write the non-zero bulks into this new sparse file. */
  imageOut?: string;
  /** Compare with this hash index ... */
  indexIn?: string;
  /** ... and write the changed bulks here as a sorted wdiff. */
  diffOut?: string;
  /** Write this pass's hashes here. */
  indexOut?: string;
  gidB?: number;
  gidE?: number;
  /** The new index's hash seed (1-16 hex digits); default: `indexIn`'s seed, else 0 (unseeded). */
  seed?: string;
  compression?: string;
  sync?: boolean;
  /** With `imageOut`: the image's base.sums hashes (XXH3-64 per bulk of this size), made in the same pass. */
  sumsBulkSize?: number;
}

export interface ScanVolumeResult {
  bytesScanned: number;
  bytesRead: number;
  dataBytes: number;
  changedBulks: number;
  changedBytes: number;
  diffBytes: number;
  records: number;
  /** With `sumsBulkSize`: 8 bytes little-endian per bulk of the image. */
  sums?: Buffer;
}

export interface CopyImageOptions {
  source: string;
  target: string;
  /** `auto`: reflink where the file system can, else a sparse copy. */
  mode?: 'auto' | 'reflink' | 'copy';
  sync?: boolean;
  /** Hash every bulk of this size as it is read and compare with `checkHashes` (base-sums.md). */
  checkBulkSize?: number;
  checkHashes?: Buffer;
}

export interface CopyImageResult {
  method: 'reflink' | 'copy';
  sizeBytes: number;
  bytesWritten: number;
  /** With a check: the bulks whose hash differs. */
  badBulks: number[];
}

export interface HashImageOptions {
  path: string;
  bulkSize: number;
  sizeBytes: number;
  /** Only these bulks, in this order; every bulk when absent. */
  bulks?: number[];
}

export interface HashIndexInfo {
  bulkSize: number;
  sizeBytes: number;
  bulks: number;
  gidB: number;
  gidE: number;
  /** The seed of its hashes, 16 hex digits (all zero: unseeded, format version 1). */
  seed: string;
}

interface ArchiveAddon {
  writeImage(opts: { source: string; target: string }, onProgress?: ProgressFn): Promise<{ sizeBytes: number }>;
  checkHashIndex(path: string): Promise<HashIndexInfo>;
  hashImage(opts: HashImageOptions, onProgress?: ProgressFn): Promise<Buffer>;
  scanVolume(opts: ScanVolumeOptions, onProgress?: ProgressFn): Promise<ScanVolumeResult>;
  copyImage(opts: CopyImageOptions, onProgress?: ProgressFn): Promise<CopyImageResult>;
}

/** An error the addon raised: a format error carries file/offset/rule, a system error errno/code. */
export interface AddonError extends Error {
  code?: string;
  file?: string;
  offset?: number;
  rule?: string;
  errno?: number;
}

export function scanVolume(opts: ScanVolumeOptions, onProgress?: ProgressFn): Promise<ScanVolumeResult> {
  return loadAddon<ArchiveAddon>().scanVolume(opts, onProgress);
}

export function copyImage(opts: CopyImageOptions, onProgress?: ProgressFn): Promise<CopyImageResult> {
  return loadAddon<ArchiveAddon>().copyImage(opts, onProgress);
}

/** XXH3-64 of each bulk of an image, 8 bytes little-endian each (base-sums.md). */
export function hashImage(opts: HashImageOptions, onProgress?: ProgressFn): Promise<Buffer> {
  return loadAddon<ArchiveAddon>().hashImage(opts, onProgress);
}

/** Reads a storage's hash index whole and checks it; rejects with file, offset and rule when damaged. */
export function checkHashIndex(path: string): Promise<HashIndexInfo> {
  return loadAddon<ArchiveAddon>().checkHashIndex(path);
}

/** Writes a whole image over an existing file or block device (holes as zeros) and fsyncs it. */
export function writeImage(opts: { source: string; target: string }, onProgress?: ProgressFn): Promise<{ sizeBytes: number }> {
  return loadAddon<ArchiveAddon>().writeImage(opts, onProgress);
}
