/**
 * A worker thread of the parallel loader: parses and processes its share of the host files (see
 * parallel.ts) and posts the results back (without trees: the main thread rebuilds a tree only for
 * a host it has a problem to report on).
 */
import { parentPort, workerData } from 'node:worker_threads';

import type { Diagnostic } from './diagnostic.js';
import { processHostsHere } from './resolve.js';
import { readTemplates, type HostEntry } from './tree.js';

const { root, entries, normalise } = workerData as { root: string; entries: HostEntry[]; normalise: boolean };
const ignored: Diagnostic[] = []; // the main thread reports template problems
parentPort!.postMessage(processHostsHere(root, entries, { templates: readTemplates(root, ignored), normalise }));
