/**
 * The rows `walbctl explain` prints: every merged value under a host or volume, with where it
 * was set and the `extends` entries it came through, then the defaults that apply to keys nobody
 * set (`setIn: null`). Lists of plain values are one row (a list is replaced whole, never merged);
 * lists of maps are explained item by item.
 */
import type { SourceRef } from '../model/desired.js';
import { DEFAULTS } from './defaults.js';
import { formatPath, locate, type Segment } from './locate.js';
import { toPlain, type PMap, type PNode } from './node.js';

export interface ExplainRow {
  path: string;
  value: unknown;
  /** Where the value was set; null for a default nobody set. */
  setIn: SourceRef | null;
  via: SourceRef[];
}

const HOST_DEFAULTS: Array<[string, unknown]> = [
  ['driver', DEFAULTS.driver],
  ['daemon.interval', DEFAULTS.daemonInterval],
  ['daemon.listen', DEFAULTS.daemonListen],
];
const VOLUME_DEFAULTS: Array<[string, unknown]> = [
  ['capture', DEFAULTS.capture],
  ['apply', null],
  ['merge.interval', DEFAULTS.mergeInterval],
  ['merge.maxNr', DEFAULTS.mergeMaxNr],
  ['merge.maxSize', DEFAULTS.mergeMaxSize],
  ['merge.thresholdNr', DEFAULTS.mergeThresholdNr],
  ['replication', []],
  ['replicationLimit', null],
  ['restores', []],
  ['protect', false],
  ['suspend', false],
];

export interface ExplainTarget {
  /** `HOST` or `HOST/VOLUME`. */
  address: string;
  /** Key path inside the host or volume, or [] for all of it. */
  key: Segment[];
}

/** Rows under `target` in the host's merged tree, or null when the path does not exist. */
export function explainRows(hostTree: PMap, volume: string | null, key: Segment[]): ExplainRow[] | null {
  const prefix: Segment[] = volume === null ? [] : ['volumes', volume];
  const { chain, found } = locate(hostTree, [...prefix, ...key]);
  if (!found && !locate(hostTree, prefix).found) return null;
  const rows: ExplainRow[] = [];
  if (found) flatten(chain[chain.length - 1], key, rows, volume === null && key.length === 0);
  const keyText = formatPath(key);
  for (const [path, value] of volume === null ? HOST_DEFAULTS : VOLUME_DEFAULTS) {
    const under = keyText === '' || path === keyText || path.startsWith(`${keyText}.`);
    if (under && !locate(hostTree, [...prefix, ...path.split('.')]).found) rows.push({ path, value, setIn: null, via: [] });
  }
  return found || rows.length > 0 ? rows : null;
}

function flatten(node: PNode, path: Segment[], rows: ExplainRow[], skipVolumes: boolean): void {
  const row = (value: unknown): void => void rows.push({ path: formatPath(path), value, setIn: node.at, via: node.via });
  if (node.kind === 'map') {
    if (node.entries.size === 0) return row({});
    for (const [k, v] of node.entries) {
      if (skipVolumes && k === 'volumes' && v.kind === 'map') {
        rows.push({ path: 'volumes', value: [...v.entries.keys()], setIn: v.at, via: v.via });
        continue;
      }
      flatten(v, [...path, k], rows, false);
    }
  } else if (node.kind === 'seq') {
    if (node.items.every((i) => i.kind === 'scalar')) return row(toPlain(node));
    node.items.forEach((item, i) => flatten(item, [...path, i], rows, false));
  } else if (node.kind === 'scalar') {
    row(node.value);
  }
}
