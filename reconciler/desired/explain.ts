/**
 * The rows `walbctl explain` prints: every merged value under a host or volume, with where it
 * was set and the `extends` entries it came through. Lists of plain values are one row (a list is
 * replaced whole, never merged); lists of maps are explained item by item.
 */
import type { SourceRef } from '../model/desired.js';
import { formatPath, locate, type Segment } from './locate.js';
import { toPlain, type PMap, type PNode } from './node.js';

export interface ExplainRow {
  path: string;
  value: unknown;
  setIn: SourceRef;
  via: SourceRef[];
}

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
  if (!found) return null;
  const rows: ExplainRow[] = [];
  flatten(chain[chain.length - 1], key, rows, volume === null && key.length === 0);
  return rows;
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
