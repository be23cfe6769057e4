/**
 * The per-volume checks and the digest of a large observed-state file, on a second thread while the
 * main one plans. For 10,000 volumes the checks take about 0.1 s and the digest (a JSON.stringify and
 * a sha256 over the whole state) about 0.18 s, and nothing in the planning needs their results — only
 * whether the file is valid, which must be known before anything is printed. So the plan command
 * parses the file with only its top-level fields checked (parseObservedTop), starts this check, plans,
 * and then `finish()`es it: a bad volume is reported with the same words, file and field as the serial
 * checks give, and the plan is thrown away. Planning may meet the bad volume first; the caller then
 * asks `finish()` before reporting its own error, so the check's words win, as they would serially.
 *
 * A small file, a run from the TypeScript sources (a worker cannot load them), or a file the worker
 * declines (observed-worker.ts) is checked and hashed on the main thread instead: same results.
 */
import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

import { InputError } from '../../errors.js';
import type { ObservedState } from '../../model/observed.js';
import { observedDigest } from '../digest.js';
import { checkObservedVolumes } from '../observed-json.js';

export type Verdict = { ok: true; digest?: string } | { error: string } | { declined: string };

/** Files below this size are checked on the main thread: a worker's start-up would cost more. The
 *  environment variable WALBCTL_PLAN_WORKER_MIN_BYTES overrides it (tests set 0 to use the worker). */
export const WORKER_MIN_BYTES = 4 << 20;

function workerMinBytes(): number {
  const v = Number(process.env.WALBCTL_PLAN_WORKER_MIN_BYTES);
  return process.env.WALBCTL_PLAN_WORKER_MIN_BYTES && Number.isInteger(v) && v >= 0 ? v : WORKER_MIN_BYTES;
}

export class ObservedFileCheck {
  private constructor(
    private readonly file: string,
    private readonly worker: Worker | null,
    private readonly verdict: Promise<Verdict>,
  ) {}

  /** Starts checking `file` (its paths taken from `root`, as resolveFixturePaths does); `digest`: also hash it. */
  static start(file: string, root: string, options: { digest: boolean; minBytes?: number }): ObservedFileCheck {
    let size = 0;
    try {
      size = statSync(file).size;
    } catch {
      // Reading the file reports the error.
    }
    if (!import.meta.url.endsWith('.js') || size < (options.minBytes ?? workerMinBytes())) {
      return new ObservedFileCheck(file, null, Promise.resolve({ declined: 'checked on the main thread' }));
    }
    const worker = new Worker(new URL('./observed-worker.js', import.meta.url), { workerData: { file, root, digest: options.digest } });
    const verdict = new Promise<Verdict>((resolve) => {
      worker.once('message', (v: Verdict) => resolve(v));
      worker.once('error', (e) => resolve({ declined: `the worker failed: ${e.message}` }));
      worker.once('exit', () => resolve({ declined: 'the worker exited' }));
    });
    return new ObservedFileCheck(file, worker, verdict);
  }

  /** True when the checks run on a worker: the caller then parses with parseObservedTop. */
  get parallel(): boolean {
    return this.worker !== null;
  }

  /**
   * Waits for the check. Throws the first bad volume's error; when the worker did not check the file,
   * checks `observed` here. Returns the digest of `observed` when it was asked for (from the worker,
   * or computed here).
   */
  async finish(observed: ObservedState, options: { digest: boolean }): Promise<string | undefined> {
    const v = await this.verdict;
    void this.worker?.terminate();
    if ('error' in v) throw new InputError(v.error);
    if ('declined' in v) checkObservedVolumes(observed, this.file);
    if (!options.digest) return undefined;
    return 'ok' in v && v.digest !== undefined ? v.digest : observedDigest(observed);
  }

  /** Stops the worker (the plan failed for a reason found before the volumes). */
  cancel(): void {
    void this.worker?.terminate();
  }
}
