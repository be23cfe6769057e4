/**
 * Resolves `extends`: the templates named are applied left to right, the value itself last.
 * Each template is resolved once (its own `extends` first) and cached. Missing templates and
 * cycles are diagnostics at the `extends` entry that names them; the rest still merges.
 */
import type { SourceRef } from '../model/desired.js';
import type { Diagnostic } from './diagnostic.js';
import { mergeNodes } from './merge.js';
import { throughVia, type PMap, type PNode } from './node.js';
import type { TemplateFile, TemplateKind } from './tree.js';

export class ExtendsResolver {
  private readonly cache: Map<string, PMap | null>;
  private readonly provenance: boolean;

  /**
   * `provenance: false` leaves out the `via` chains (template values are shared, not copied with
   * their chain): much cheaper, for checking a host that will most likely pass.
   */
  constructor(
    private readonly templates: Map<string, TemplateFile>,
    private readonly diagnostics: Diagnostic[],
    options: { provenance?: boolean; cache?: Map<string, PMap | null> } = {},
  ) {
    this.cache = options.cache ?? new Map();
    this.provenance = options.provenance ?? true;
  }

  /** The same resolver (sharing resolved templates) reporting into `sink`. */
  withDiagnostics(sink: Diagnostic[]): ExtendsResolver {
    return new ExtendsResolver(this.templates, sink, { provenance: this.provenance, cache: this.cache });
  }

  /** `node` with the templates its `extends` names merged under it, and `extends` removed. */
  apply(kind: TemplateKind, node: PMap, path: string, stack: string[] = []): PMap {
    const ext = node.entries.get('extends');
    if (!ext) return node;
    const items = ext.kind === 'seq' ? ext.items : [ext];
    let base: PNode | undefined;
    items.forEach((item, i) => {
      const itemPath = `${path ? `${path}.` : ''}extends${ext.kind === 'seq' ? `[${i}]` : ''}`;
      if (item.kind !== 'scalar' || typeof item.value !== 'string' || item.value === '') {
        this.diagnostics.push({ ...item.at, path: itemPath, message: 'must be a template name (or extends a list of them)', setIn: null, via: [] });
        return;
      }
      const template = this.resolve(kind, item.value, { at: item.at, path: itemPath, stack });
      if (!template) return;
      const layer = this.provenance ? throughVia(template, [item.at, ...item.via]) : template;
      base = base ? mergeNodes(base, layer) : layer;
    });
    const own: PMap = { ...node, entries: new Map(node.entries) };
    own.entries.delete('extends');
    return base ? (mergeNodes(base, own) as PMap) : own;
  }

  /** The resolved template `KIND/NAME`, or null (with a diagnostic) when it is missing or cyclic. */
  resolve(kind: TemplateKind, name: string, ref: { at: SourceRef; path: string; stack: string[] }): PMap | null {
    const key = `${kind}/${name}`;
    const problem = (message: string): null => {
      this.diagnostics.push({ ...ref.at, path: ref.path, message, setIn: null, via: [] });
      return null;
    };
    if (ref.stack.includes(key)) return problem(`extends cycle: ${[...ref.stack.slice(ref.stack.indexOf(key)), key].join(' → ')}`);
    if (this.cache.has(key)) return this.cache.get(key) ?? null;
    const file = this.templates.get(key);
    if (!file) {
      const other = this.templates.get(`${kind === 'host' ? 'volume' : 'host'}/${name}`);
      return problem(`no ${kind} template "${name}" (looked for templates/${key}.yaml${other ? `; templates/${other.kind}/${name}.yaml is a ${other.kind} template` : ''})`);
    }
    if (!file.root) return null; // its parse errors are reported already
    const resolved = this.apply(kind, file.root, '', [...ref.stack, key]);
    this.cache.set(key, resolved);
    return resolved;
  }
}
