/**
 * The parsed tree with provenance. Every value remembers where it was set (`at`) and, once
 * templates are merged in, the `extends` entries it came through (`via`, nearest first). Map
 * entries also remember where their key was written, and keys deleted by `!reset` are kept as
 * tombstones so a missing required key can point at the `!reset` that removed it.
 */
import type { SourceRef } from '../model/desired.js';

export type Scalar = string | number | boolean | null;

interface Base {
  /** Where the value starts (for a scalar) or where its key is (for a collection in a map). */
  at: SourceRef;
  /** The `extends` entries this value came through, nearest first; empty when set in place. */
  via: SourceRef[];
  /** Where the value's key is, for a scalar in a map (a collection's `at` is its key already). */
  key?: SourceRef;
}

export interface PMap extends Base {
  kind: 'map';
  entries: Map<string, PNode>;
  /** Keys deleted by `!reset`, with where the `!reset` was written. */
  resets: Map<string, PReset>;
  /** Written with `!override`: replaces what it is merged onto instead of deep-merging. */
  override: boolean;
}

export interface PSeq extends Base {
  kind: 'seq';
  items: PNode[];
}

export interface PScalar extends Base {
  kind: 'scalar';
  value: Scalar;
}

/** `key: !reset` — deletes the key when merged onto a template's value. */
export interface PReset extends Base {
  kind: 'reset';
}

export type PNode = PMap | PSeq | PScalar | PReset;

export function emptyMap(at: SourceRef): PMap {
  return { kind: 'map', entries: new Map(), resets: new Map(), override: false, at, via: [] };
}

/** A copy of `node` whose every value also came through `chain` (appended to each `via`). */
export function throughVia<T extends PNode>(node: T, chain: SourceRef[]): T {
  if (chain.length === 0) return node;
  const via = node.via.concat(chain);
  switch (node.kind) {
    case 'map': {
      const entries = new Map<string, PNode>();
      for (const [k, v] of node.entries) entries.set(k, throughVia(v, chain));
      const resets = new Map<string, PReset>();
      for (const [k, v] of node.resets) resets.set(k, throughVia(v, chain));
      return { ...node, entries, resets, via };
    }
    case 'seq':
      return { ...node, items: node.items.map((i) => throughVia(i, chain)), via };
    default:
      return { ...node, via };
  }
}

/** The plain JavaScript value (what the schema checks), without tombstones or tags. */
export function toPlain(node: PNode): unknown {
  switch (node.kind) {
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of node.entries) {
        if (v.kind === 'reset') continue;
        if (k === '__proto__') Object.defineProperty(out, k, { value: toPlain(v), enumerable: true, writable: true, configurable: true });
        else out[k] = toPlain(v);
      }
      return out;
    }
    case 'seq':
      return node.items.map(toPlain);
    case 'scalar':
      return node.value;
    case 'reset':
      return undefined;
  }
}
