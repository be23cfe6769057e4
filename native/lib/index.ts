/**
 * walbctl's native data path: WalB's wlog and wdiff formats. Every function runs its work off the
 * JS thread; bytes never cross into JS. Errors: WalbFormatError {file, offset, rule} for bad input,
 * NativeIoError {file, code, errno} for system failures.
 */
export { applyLogs, mergeWdiffs, showWdiff, verifyFile, wdiffStats } from './wdiff.js';
export type { ApplyLogsOptions, MergeWdiffsOptions } from './wdiff.js';
export { convertWlog, readWlogInfo, showWlog, writeWlog } from './wlog.js';
export type { ConvertWlogOptions, WlogInfo } from './wlog.js';
export { NativeIoError, WalbFormatError } from './errors.js';
export { compressionNames } from './native-types.js';
export type * from './native-types.js';
export { checksum } from './checksum.js';
