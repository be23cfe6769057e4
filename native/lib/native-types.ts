/**
 * The shapes the data-path addon returns (native/src/napi). Counts are numbers (exact below 2^53);
 * lsids are decimal strings because the END lsid is 2^64-1.
 */
export type CompressionName = 'none' | 'gzip' | 'snappy' | 'lzma' | 'lz4' | 'zstd';
export const compressionNames: readonly CompressionName[] = ['none', 'gzip', 'snappy', 'lzma', 'lz4', 'zstd'];

export type FileKind = 'wlog' | 'sorted-wdiff' | 'indexed-wdiff';

export interface KindCount {
  records: number;
  blocks: number;
}

/** WalB's `wdiff-show -stat` figures. */
export interface WdiffStats {
  normal: KindCount;
  allZero: KindCount;
  discard: KindCount;
  records: number;
  /** Bytes of (compressed) record data. */
  dataBytes: number;
  fileBytes: number;
}

export interface ConvertResult {
  wlogBytes: number;
  beginLsid: string;
  endLsid: string;
  logIos: number;
  /** Peak number of extents in the in-memory index. */
  indexExtents: number;
  fileBytes: number;
  /** How the last wlog ended (what verifyFile says of it), so that no second pass is needed. */
  lastWlog: WlogTail;
}

/** How a wlog ended: `complete` when its END block or end_lsid was reached. */
export interface WlogTail {
  complete: boolean;
  /** The reader's end reason: end-block, end-lsid, end-of-file or torn-tail. */
  end: string;
  /** File offset where reading stopped. */
  endOffset: number;
  /** Logpacks read. */
  packs: number;
  endDetail: string | null;
}

export interface MergeResult {
  stats: WdiffStats;
  inputRecords: number;
  indexExtents: number;
  copiedRecords: number;
  reencodedRecords: number;
}

export interface ApplyResult {
  writes: KindCount;
  allZero: KindCount;
  discard: KindCount;
  bytesWritten: number;
  /** How the last input ended when it is a wlog; null when it is a wdiff. */
  lastWlog: WlogTail | null;
}

export interface VerifyResult {
  file: string;
  kind: FileKind;
  records: number;
  packs: number;
  fileBytes: number;
  /** Sorted wdiff: the END pack was there. Wlog: the END block or end_lsid was reached. */
  complete: boolean;
  /** wdiff: end | end-of-file; wlog: end-block | end-of-file | end-lsid | torn-tail. */
  end: string;
  endOffset: number;
  endDetail?: string;
  beginLsid?: string;
  endLsid?: string;
}

export interface WdiffRecordView {
  address: number;
  blocks: number;
  kind: 'normal' | 'allzero' | 'discard';
  flags: number;
  compression: CompressionName;
  dataOffset: number;
  dataSize: number;
  checksum: number;
  ioOffset?: number;
  origBlocks?: number;
}

export interface WdiffShow {
  file: string;
  kind: 'sorted-wdiff' | 'indexed-wdiff';
  uuid: string;
  records: WdiffRecordView[];
  stats: WdiffStats;
}

export interface WlogRecordView {
  lsid: string;
  kind: 'write' | 'discard' | 'padding';
  flags: number;
  address: number;
  blocks: number;
  checksum: number;
  dataOffset: number;
}

export interface WlogPackView {
  lsid: string;
  fileOffset: number;
  totalIoSize: number;
  nPadding: number;
  records: WlogRecordView[];
}

export interface WlogHeaderView {
  uuid: string;
  pbs: number;
  salt: number;
  beginLsid: string;
  endLsid: string;
}

export interface WlogShow {
  file: string;
  header: WlogHeaderView;
  packs: WlogPackView[];
  end: { reason: string; offset: number; lsid: string; detail: string };
  totals: { writes: number; writeBlocks: number; discards: number; discardBlocks: number; paddings: number };
}

export interface WlogIo {
  kind: 'write' | 'discard' | 'padding' | 'flush';
  address: number;
  /** LB for write/discard; physical blocks for padding. */
  blocks: number;
  data?: Buffer;
}

export interface WlogWriteOptions {
  pbs?: 512 | 4096;
  salt?: number;
  uuid?: Buffer;
  beginLsid?: number;
  maxPackBlocks?: number;
}

/** The raw addon functions (promises reject with the fields errors.ts maps). */
export interface DataPathAddon {
  convertWlog(inputs: string[], output: string, opts: { indexed?: boolean; compression?: string; maxIoBlocks?: number; sync?: boolean }): Promise<ConvertResult>;
  mergeWdiffs(inputs: string[], output: string, opts: { compression?: string; uuid?: string; sync?: boolean }): Promise<MergeResult>;
  applyLogs(inputs: string[], target: string, opts: { discard?: string; sync?: boolean }): Promise<ApplyResult>;
  verifyFile(path: string, opts?: { decode?: boolean }): Promise<VerifyResult>;
  wdiffStats(path: string): Promise<WdiffStats>;
  showWdiff(path: string): Promise<WdiffShow>;
  showWlog(path: string): Promise<WlogShow>;
  writeWlog(path: string, opts: WlogWriteOptions, ios: WlogIo[]): Promise<{ endLsid: number }>;
  checksum(data: Buffer, salt: number): number;
  /** How many pack buffers the writers keep between them now (native/src/format/buffer_cache.h). */
  cachedBuffers(): number;
  wdiffCheckOpen(name: string, size: number): unknown;
  wdiffCheckFeed(handle: unknown, bytes: Buffer | number): void;
  wdiffCheckFinish(handle: unknown): WdiffStreamCheckResult;
}

/** What a wdiff's stream check saw (wdiff-check.ts). */
export interface WdiffStreamCheckResult {
  /** False for an indexed wdiff: not checked as it went by (verifyFile it). */
  checked: boolean;
  packs: number;
  records: number;
  /** The END pack was seen. */
  complete: boolean;
  endOffset: number;
}
