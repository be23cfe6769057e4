/**
 * Parses one YAML file of the tree into a PNode tree with provenance. YAML errors and warnings
 * (an unknown tag is only a warning to the yaml library) both become diagnostics at their line
 * and column; duplicate keys are errors. Tags: `!reset` on a map value deletes that key when the
 * file is merged onto a template, `!override` on a map replaces instead of deep-merging.
 */
import { Alias, isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair } from 'yaml';

import type { SourceRef } from '../model/desired.js';
import type { Diagnostic } from './diagnostic.js';
import { emptyMap, type PMap, type PNode, type Scalar } from './node.js';

const RESET = '!reset';
const OVERRIDE = '!override';
const MAX_ALIASES = 1000;

const customTags = [
  { tag: RESET, resolve: (value: string) => value },
  { tag: OVERRIDE, collection: 'map' as const, resolve: (value: unknown) => value },
];

export interface ParsedFile {
  file: string;
  /** The file's top-level map, or null when it could not be read as one. */
  root: PMap | null;
  diagnostics: Diagnostic[];
}

/** Parses `text`, the content of `file` (a path relative to the tree's root, for locations). */
export function parseFile(file: string, text: string): ParsedFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, customTags, uniqueKeys: true, prettyErrors: false });
  const diagnostics: Diagnostic[] = [];
  const problem = (offset: number, message: string, path = ''): void => {
    const { line, col } = lineCounter.linePos(offset);
    diagnostics.push({ file, line, col, path, message, setIn: null, via: [] });
  };
  for (const e of [...doc.errors, ...doc.warnings]) problem(opener(text, e.pos[0], e.message), yamlMessage(e.code, e.message));
  if (diagnostics.length > 0) return { file, root: null, diagnostics };
  const walker = new Walker(file, doc, lineCounter, problem);
  if (doc.contents === null) return { file, root: emptyMap({ file, line: 1, col: 1 }), diagnostics };
  if (!isMap(doc.contents)) {
    problem(doc.contents.range?.[0] ?? 0, 'the file must hold a map of keys (like "host: …")');
    return { file, root: null, diagnostics };
  }
  const root = walker.node(doc.contents, walker.ref(doc.contents.range?.[0] ?? 0), '') as PMap;
  return { file, root, diagnostics };
}

/**
 * yaml notices an unclosed `[`, `{` or quote where the next token starts; the offending place is
 * the opener, so point there.
 */
function opener(text: string, pos: number, message: string): number {
  const char = /end with a \]/.test(message) ? '[' : /end with a \}/.test(message) ? '{' : /missing closing "/i.test(message) ? '"' : /missing closing '/i.test(message) ? "'" : null;
  if (char === null) return pos;
  const at = text.lastIndexOf(char, Math.min(pos, text.length) - 1);
  return at >= 0 ? at : pos;
}

function yamlMessage(code: string, message: string): string {
  const first = message.split(/ at line \d+, column \d+/)[0].split('\n')[0];
  if (code === 'TAG_RESOLVE_FAILED') return `${first.replace('Unresolved tag', 'unknown tag')} (walbctl knows !reset and !override)`;
  if (code === 'DUPLICATE_KEY') return 'duplicate key (map keys must be unique)';
  return `YAML syntax: ${first.charAt(0).toLowerCase()}${first.slice(1)}`;
}

class Walker {
  private aliases = 0;

  constructor(
    private readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
    private readonly problem: (offset: number, message: string, path?: string) => void,
  ) {}

  ref(offset: number): SourceRef {
    const { line, col } = this.lines.linePos(offset);
    return { file: this.file, line, col };
  }

  node(node: unknown, keyAt: SourceRef, path: string): PNode | null {
    if (isAlias(node)) return this.alias(node, keyAt, path);
    if (isMap(node)) {
      const map = emptyMap(keyAt);
      map.override = node.tag === OVERRIDE;
      for (const pair of node.items) this.pair(map, pair as Pair, path);
      return map;
    }
    if (isSeq(node)) {
      const items: PNode[] = [];
      node.items.forEach((item, i) => {
        const at = this.ref((item as Node | null)?.range?.[0] ?? node.range?.[0] ?? 0);
        const child = item === null ? { kind: 'scalar' as const, value: null, at, via: [] } : this.node(item, at, `${path}[${i}]`);
        if (child?.kind === 'reset') this.problem((item as Node).range?.[0] ?? 0, '!reset deletes a map key; it cannot stand in a list', `${path}[${i}]`);
        else if (child) items.push(child);
      });
      if (node.tag === OVERRIDE) this.problem(node.range?.[0] ?? 0, '!override applies to a map (lists always replace)', path);
      return { kind: 'seq', items, at: keyAt, via: [] };
    }
    if (isScalar(node)) {
      const at = this.ref(node.range?.[0] ?? 0);
      if (node.tag === RESET) return { kind: 'reset', at: keyAt, via: [] };
      if (node.tag === OVERRIDE) this.problem(node.range?.[0] ?? 0, '!override applies to a map', path);
      return { kind: 'scalar', value: scalarValue(node.value), at, via: [] };
    }
    return null;
  }

  private pair(map: PMap, pair: Pair, path: string): void {
    if (!isPair(pair)) return;
    const keyNode = pair.key as Node | null;
    const keyOffset = keyNode?.range?.[0] ?? 0;
    if (!isScalar(keyNode) || (typeof keyNode.value !== 'string' && typeof keyNode.value !== 'number')) {
      this.problem(keyOffset, 'keys must be plain strings', path);
      return;
    }
    const key = String(keyNode.value);
    const childPath = path ? `${path}.${key}` : key;
    const keyAt = this.ref(keyOffset);
    const value = pair.value === null ? { kind: 'scalar' as const, value: null, at: keyAt, via: [] } : this.node(pair.value, keyAt, childPath);
    if (value === null) return;
    if (value.kind === 'reset') map.resets.set(key, value);
    else map.entries.set(key, value);
  }

  private alias(node: Alias, keyAt: SourceRef, path: string): PNode | null {
    this.aliases += 1;
    if (this.aliases > MAX_ALIASES) {
      if (this.aliases === MAX_ALIASES + 1) this.problem(node.range?.[0] ?? 0, `more than ${MAX_ALIASES} alias expansions`, path);
      return null;
    }
    const target = node.resolve(this.doc);
    if (!target) {
      this.problem(node.range?.[0] ?? 0, `unknown alias *${node.source}`, path);
      return null;
    }
    return this.node(target, keyAt, path);
  }
}

function scalarValue(value: unknown): Scalar {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return String(value);
}
