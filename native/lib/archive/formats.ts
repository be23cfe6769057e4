/**
 * The wdiff operations this area uses from the formats layer (native/lib/wdiff.ts): apply diffs onto
 * an image, merge consecutive diffs into one sorted wdiff, verify a wdiff. One adapter, so the
 * archive code names them by what it needs.
 */
import { applyLogs, mergeWdiffs, verifyFile } from '../wdiff.js';
import type { CompressionName } from '../native-types.js';

export interface FormatsApi {
  applyDiffs(inputs: string[], target: string, opts: { discard: 'zero' | 'punch' }): Promise<void>;
  mergeDiffs(inputs: string[], output: string, opts: { compression?: string; uuid?: string }): Promise<void>;
  /** Throws a WalbFormatError {file, offset, rule} at the first bad structure. */
  verifyDiff(path: string): Promise<void>;
}

const api: FormatsApi = {
  applyDiffs: async (inputs, target, opts) => void (await applyLogs(inputs, target, opts)),
  mergeDiffs: async (inputs, output, opts) =>
    void (await mergeWdiffs(inputs, output, {
      ...(opts.compression ? { compression: opts.compression as CompressionName } : {}),
      ...(opts.uuid ? { uuid: opts.uuid } : {}),
    })),
  verifyDiff: async (path) => void (await verifyFile(path)),
};

export async function formats(): Promise<FormatsApi> {
  return api;
}
