/**
 * Where a wlog input ended when it did not end with its END block (or end_lsid): a torn tail. The
 * converters treat it as the end of the log, as LevelDB treats a torn record; the commands say so,
 * so that an operator knows the log was cut short.
 */
import { verifyFile, type WlogTail } from '../../../../native/lib/index.js';

export interface TornTail {
  file: string;
  /** File offset where reading stopped. */
  byte: number;
  /** Logpacks read before it (all of them are used). */
  logpacks: number;
  /** The reader's end reason: torn-tail (a bad or partial logpack) or end-of-file. */
  end: string;
  detail: string | null;
}

/**
 * The torn tail of the last wlog among `inputs` (only the last can be cut: the next would not continue
 * it). `known` is what the operation that read the inputs said of the last one (its `lastWlog`: null
 * for a wdiff), which spares reading the whole log a second time; without it, verifyFile reads it.
 */
export async function tornTail(inputs: string[], known?: WlogTail | null): Promise<TornTail | null> {
  const last = inputs[inputs.length - 1];
  if (!last) return null;
  if (known !== undefined) {
    if (known === null || known.complete) return null;
    return { file: last, byte: known.endOffset, logpacks: known.packs, end: known.end, detail: known.endDetail ?? null };
  }
  const v = await verifyFile(last);
  if (v.kind !== 'wlog' || v.complete) return null;
  return { file: last, byte: v.endOffset, logpacks: v.packs, end: v.end, detail: v.endDetail ?? null };
}

export function tornTailLine(t: TornTail): string {
  return `${t.file}: torn tail at byte ${t.byte}: ${t.logpacks} logpacks used; the log ends there (${t.end}${t.detail ? `: ${t.detail}` : ''})\n`;
}
