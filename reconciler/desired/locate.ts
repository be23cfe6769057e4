/**
 * From a key path in a (merged) tree to a diagnostic's location. A value set in the file itself
 * is reported where it is. An inherited value is reported at the nearest enclosing key the file
 * itself wrote, with `setIn` (where the template set it) and `via` (the `extends` entries).
 */
import type { SourceRef } from '../model/desired.js';
import type { Diagnostic } from './diagnostic.js';
import type { PMap, PNode } from './node.js';

export type Segment = string | number;

export function formatPath(segments: Segment[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (/^[A-Za-z0-9_-]+$/.test(s)) out += out ? `.${s}` : s;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

/** Parses `volumes.demo.retention.keepLast` or `replication[0].to` into segments. */
export function parsePath(text: string): Segment[] {
  const out: Segment[] = [];
  for (const m of text.matchAll(/([^.[\]]+)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]/g)) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else out.push(JSON.parse(`"${m[3]}"`) as string);
  }
  return out;
}

export interface Located {
  /** The nodes from the root down to the deepest one the path reaches. */
  chain: PNode[];
  /** True when the whole path exists. */
  found: boolean;
}

export function locate(root: PMap, segments: Segment[]): Located {
  const chain: PNode[] = [root];
  let node: PNode = root;
  for (const s of segments) {
    const next: PNode | undefined = node.kind === 'map' && typeof s === 'string' ? node.entries.get(s) : node.kind === 'seq' && typeof s === 'number' ? node.items[s] : undefined;
    if (!next) return { chain, found: false };
    chain.push(next);
    node = next;
  }
  return { chain, found: true };
}

/**
 * A diagnostic about `segments` in `root`. When the path stops short (a missing key), it points at
 * the deepest node it reaches, or at the `!reset` that deleted the key.
 */
export function diagnoseAt(root: PMap, segments: Segment[], message: string, options: { atKey?: boolean } = {}): Diagnostic {
  const { chain, found } = locate(root, segments);
  const last = chain[chain.length - 1];
  let target: { at: SourceRef; via: SourceRef[] } = found && options.atKey && last.key ? { at: last.key, via: last.via } : last;
  let text = message;
  if (!found && chain.length === segments.length) {
    const parent = chain[chain.length - 1];
    const reset = parent.kind === 'map' ? parent.resets.get(String(segments[segments.length - 1])) : undefined;
    if (reset) {
      target = reset;
      text = `${message} (deleted by !reset)`;
    }
  }
  const path = formatPath(segments);
  if (target.via.length === 0) return { ...target.at, path, message: text, setIn: null, via: [] };
  const own = [...chain].reverse().find((n) => n.via.length === 0) ?? chain[0];
  return { ...own.at, path, message: text, setIn: target.at, via: target.via };
}
