/**
 * Where a wlog input ended when it did not end with its END block (or end_lsid): a torn tail. The
 * converters treat it as the end of the log, as LevelDB treats a torn record; the commands say so,
 * so that an operator knows the log was cut short.
 */
import { verifyFile } from '../../../../native/lib/index.js';

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

/** The torn tail of the last wlog among `inputs` (only the last can be cut: the next would not continue it). */
export async function tornTail(inputs: string[]): Promise<TornTail | null> {
  const last = inputs[inputs.length - 1];
  if (!last) return null;
  const v = await verifyFile(last);
  if (v.kind !== 'wlog' || v.complete) return null;
  return { file: last, byte: v.endOffset, logpacks: v.packs, end: v.end, detail: v.endDetail ?? null };
}

export function tornTailLine(t: TornTail): string {
  return `${t.file}: torn tail at byte ${t.byte}: ${t.logpacks} logpacks used; the log ends there (${t.end}${t.detail ? `: ${t.detail}` : ''})\n`;
}
