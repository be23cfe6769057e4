/**
 * A problem found in the desired-state tree, located at a file, line and column, with the key path
 * it concerns. For a value that came from a template, `setIn` is where the template set it and
 * `via` the `extends` entries it came through, nearest first.
 *
 * Text form (one line, plus one for inherited values):
 *   hosts/db-1.yaml:14:7: error: volumes.pg.retention.keepDaily: must be a positive integer
 *     (set in templates/volume/gold.yaml:3:5, via hosts/db-1.yaml:2:10)
 */
import type { SourceRef } from '../model/desired.js';

export interface Diagnostic {
  /** Path relative to the tree's root, `/`-separated. */
  file: string;
  /** 1-based; 0 when the problem concerns the file (or directory) as a whole. */
  line: number;
  col: number;
  /** Key path in the file's (merged) value, e.g. `volumes.pg.retention.keepDaily`; '' for the whole file. */
  path: string;
  message: string;
  /** Where an inherited value was set, or null when it was set at file:line:col itself. */
  setIn: SourceRef | null;
  /** The `extends` entries an inherited value came through, nearest first. */
  via: SourceRef[];
}

export function formatRef(ref: SourceRef): string {
  return ref.line > 0 ? `${ref.file}:${ref.line}:${ref.col}` : ref.file;
}

/** The text form: one line, and a second `  (set in …, via …)` line for inherited values. */
export function formatDiagnostic(d: Diagnostic): string {
  const head = `${formatRef(d)}: error: ${d.path ? `${d.path}: ` : ''}${d.message}`;
  if (!d.setIn && d.via.length === 0) return head;
  const parts = [...(d.setIn ? [`set in ${formatRef(d.setIn)}`] : []), ...d.via.map((v) => `via ${formatRef(v)}`)];
  return `${head}\n  (${parts.join(', ')})`;
}

/** Sorts by file, line, column, then message, and drops exact repeats. */
export function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return [...list]
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.col - b.col || a.message.localeCompare(b.message)))
    .filter((d) => {
      const key = formatDiagnostic(d) + '\0' + d.path;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}
