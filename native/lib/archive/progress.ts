/** Progress of a long archive or storage operation, reported in phases. */
export interface ProgressEvent {
  /** `scan`, `copy`, `apply`, `merge`, `verify`, `hash`. */
  phase: string;
  /** Bytes done and total in this phase (total 0 when unknown). */
  done: number;
  total: number;
}

export type OnProgress = (event: ProgressEvent) => void;

/** What a long operation reports when it ends: the CLI prints bytes, time and rate from it. */
export interface OpSummary {
  bytes: number;
  seconds: number;
}

export function phaseReporter(onProgress: OnProgress | undefined, phase: string): ((done: number, total: number) => void) | undefined {
  return onProgress ? (done, total) => onProgress({ phase, done, total }) : undefined;
}

export function since(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}
