/**
 * Parses one YAML file of the tree into a PNode tree with provenance. YAML errors and warnings
 * (an unknown tag is only a warning to the yaml library) both become diagnostics at their line
 * and column; duplicate keys are errors. Tags: `!reset` on a map value deletes that key when the
 * file is merged onto a template, `!override` on a map replaces instead of deep-merging.
 */
import { Alias, isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair } from 'yaml';

import type { SourceRef } from '../model/desired.js';
import type { Diagnostic } from './diagnostic.js';
import { formatPath } from './locate.js';
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
  const root = walker.node(doc.contents, walker.ref(doc.contents.range?.[0] ?? 0)) as PMap;
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
  /** The key path to the node being read; formatted only when there is a problem to report. */
  private readonly path: Array<string | number> = [];

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

  node(node: unknown, keyAt: SourceRef): PNode | null {
    if (isAlias(node)) return this.alias(node, keyAt);
    if (isMap(node)) {
      const map = emptyMap(keyAt);
      map.override = node.tag === OVERRIDE;
      for (const pair of node.items) this.pair(map, pair as Pair);
      return map;
    }
    if (isSeq(node)) {
      const items: PNode[] = [];
      node.items.forEach((item, i) => {
        const at = this.ref((item as Node | null)?.range?.[0] ?? node.range?.[0] ?? 0);
        this.path.push(i);
        const child = item === null ? { kind: 'scalar' as const, value: null, at, via: [] } : this.node(item, at);
        if (child?.kind === 'reset') this.problem((item as Node).range?.[0] ?? 0, '!reset deletes a map key; it cannot stand in a list', this.pathText());
        else if (child) items.push(child);
        this.path.pop();
      });
      if (node.tag === OVERRIDE) this.problem(node.range?.[0] ?? 0, '!override applies to a map (lists always replace)', this.pathText());
      return { kind: 'seq', items, at: keyAt, via: [] };
    }
    if (isScalar(node)) {
      const at = this.ref(node.range?.[0] ?? 0);
      if (node.tag === RESET) return { kind: 'reset', at: keyAt, via: [] };
      if (node.tag === OVERRIDE) this.problem(node.range?.[0] ?? 0, '!override applies to a map', this.pathText());
      return { kind: 'scalar', value: scalarValue(node.value), at, via: [] };
    }
    return null;
  }

  private pathText(): string {
    return formatPath(this.path);
  }

  private pair(map: PMap, pair: Pair): void {
    if (!isPair(pair)) return;
    const keyNode = pair.key as Node | null;
    const keyOffset = keyNode?.range?.[0] ?? 0;
    if (!isScalar(keyNode) || (typeof keyNode.value !== 'string' && typeof keyNode.value !== 'number')) {
      this.problem(keyOffset, 'keys must be plain strings', this.pathText());
      return;
    }
    const key = String(keyNode.value);
    const keyAt = this.ref(keyOffset);
    this.path.push(key);
    const value = pair.value === null ? { kind: 'scalar' as const, value: null, at: keyAt, via: [] } : this.node(pair.value, keyAt);
    this.path.pop();
    if (value === null) return;
    if (value.kind === 'scalar') value.key = keyAt;
    if (value.kind === 'reset') map.resets.set(key, value);
    else map.entries.set(key, value);
  }

  private alias(node: Alias, keyAt: SourceRef): PNode | null {
    this.aliases += 1;
    if (this.aliases > MAX_ALIASES) {
      if (this.aliases === MAX_ALIASES + 1) this.problem(node.range?.[0] ?? 0, `more than ${MAX_ALIASES} alias expansions`, this.pathText());
      return null;
    }
    const target = node.resolve(this.doc);
    if (!target) {
      this.problem(node.range?.[0] ?? 0, `unknown alias *${node.source}`, this.pathText());
      return null;
    }
    return this.node(target, keyAt);
  }
}

function scalarValue(value: unknown): Scalar {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return String(value);
}
