/**
 * Spreads the host files of a big tree over worker threads: parsing YAML is most of the work of
 * loading a fleet, and hosts are independent until the fleet-wide checks. The main thread takes
 * the first share itself while the workers start.
 */
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

import { processHostsHere, type HostOutcome, type HostRunner } from './resolve.js';
import type { HostEntry } from './tree.js';

/** Below this many host files one thread is faster than starting workers. */
export const PARALLEL_MIN_HOSTS = 200;

// Under vitest this module runs from source; the worker always runs the compiled copy.
const workerUrl = import.meta.url.endsWith('.ts') ? new URL('../../dist/reconciler/desired/worker.js', import.meta.url) : new URL('./worker.js', import.meta.url);

/**
 * How many threads to use for `hosts` host files (1: no workers): one per core that is idle, at
 * most 4. On a busy machine a worker gets no core of its own and only adds its start-up and a
 * second warm-up of the YAML parser (measured: +40 % CPU time, slower wall time at load 10 on 2
 * cores), and the daemon should not take cores from the data path anyway.
 */
export function threadsFor(hosts: number): number {
  if (hosts < PARALLEL_MIN_HOSTS) return 1;
  const idle = availableParallelism() - Math.round(loadavg()[0]);
  return Math.max(1, Math.min(idle, 4));
}

export function parallelRunner(threads: number): HostRunner {
  return async (root, entries, options) => {
    const size = Math.ceil(entries.length / threads);
    const chunks: HostEntry[][] = [];
    for (let i = 0; i < entries.length; i += size) chunks.push(entries.slice(i, i + size));
    const pending = chunks.slice(1).map((chunk) => runWorker(root, chunk, options.normalise));
    const here = processHostsHere(root, chunks[0] ?? [], options);
    const there = await Promise.all(pending);
    return [...here, ...there.flat()];
  };
}

function runWorker(root: string, entries: HostEntry[], normalise: boolean): Promise<HostOutcome[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(fileURLToPath(workerUrl), { workerData: { root, entries, normalise } });
    worker.once('message', (results: HostOutcome[]) => resolve(results));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`desired-state worker exited with code ${code}`));
    });
  });
}
