/**
 * The wdiff operations this area uses from the formats layer (native/lib, issue 3): apply diffs onto
 * an image, merge consecutive diffs into one sorted wdiff, verify a wdiff. One adapter, so the
 * archive code does not depend on that layer's exact option names.
 */
export interface FormatsApi {
  applyDiffs(inputs: string[], target: string, opts: { discard: 'zero' | 'punch' }): Promise<void>;
  mergeDiffs(inputs: string[], output: string, opts: { compression?: string; uuid?: string }): Promise<void>;
  /** Throws an error carrying `file` and `offset` at the first bad structure. */
  verifyDiff(path: string): Promise<void>;
}

let cached: FormatsApi | undefined;

export async function formats(): Promise<FormatsApi> {
  if (cached) return cached;
  const specifier = '../wdiff.js';
  const mod = (await import(specifier)) as Record<string, (...args: unknown[]) => Promise<unknown>>;
  cached = {
    applyDiffs: async (inputs, target, opts) => void (await mod.applyLogs!(inputs, target, opts)),
    mergeDiffs: async (inputs, output, opts) => void (await mod.mergeWdiffs!(inputs, output, opts)),
    verifyDiff: async (path) => void (await mod.verifyFile!(path)),
  };
  return cached;
}
